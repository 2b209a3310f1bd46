/**
 * The one wait of the provider: observe one object (a snapshot, a restore) until a decision says done or a
 * local bound passes, printing each observation as progress and remembering the last object seen.
 *
 * Event-driven: list (to get the object and a resourceVersion), then watch from that resourceVersion;
 * reconnect from the last seen version when the stream is cut, and list again when the server says the
 * version is too old (410 Gone). No polling: every decision is made on an event.
 */
import { KubeApiError } from "./errors";
import type { ObjectStream, WatchEvent, WatchHandle } from "../kube/cluster";
import type { ObjectMeta } from "../kube/types";

/** A decision on one observation: stop with a value, or keep watching. */
export type Decision<R> = { done: true; value: R } | { done: false };

/** Where each observation is reported while waiting (a `ProgressReporter`). */
export interface ObservationProgress<T> {
  /** Reports one observation (`undefined` = the object does not exist). */
  observe(object: T | undefined): void;
  /** Prints what is still held back; called once when the wait ends. */
  flush(): void;
}

/** Options of {@link observe}. */
export interface ObserveOptions<R, T extends { metadata: ObjectMeta }> {
  /** The object, as list and watch calls. */
  stream: ObjectStream<T>;
  /** Called with every observed state (`undefined` = the object does not exist). */
  decide(object: T | undefined): Decision<R>;
  /** The local bound: after this long the wait ends without a value. */
  boundMs: number;
  /** Told about every observation, and flushed at the end. */
  progress: ObservationProgress<T>;
  /** A signal that aborts after `ms` (injected: tests use short or manual timers). */
  timer(ms: number): AbortSignal;
  /** Waits before a reconnect after an error (injected so tests need no real backoff). */
  delay(ms: number, signal: AbortSignal): Promise<void>;
  /** Told about every reconnect, for diagnostics. */
  onReconnect?(why: string): void;
}

/**
 * How an observation ended: the decided value (`undefined` when the bound passed first), the last object, and
 * the error of the last list or watch when no observation came after it (the cluster could not be reached).
 */
export interface Observed<R, T> {
  value: R | undefined;
  last: T | undefined;
  unreachable?: string;
}

/** The decision of a wait for deletion: done once the object no longer exists. */
export function untilGone(object: unknown): Decision<true> {
  return object === undefined ? { done: true, value: true } : { done: false };
}

const MAX_BACKOFF_MS = 30_000;
const PERMANENT_CODES = new Set([400, 401, 403, 404, 405, 422]);

/** Whether a watch error will not go away by reconnecting (authz, bad request, resource not served). */
export function isPermanentWatchError(error: unknown): boolean {
  const code =
    (error as { code?: unknown; statusCode?: unknown } | null)?.code ??
    (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === "number" && PERMANENT_CODES.has(code);
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(JSON.stringify(error));
}

/**
 * Observes one object until `decide` says done or `boundMs` passes. Rejects only on a permanent API error
 * (e.g. 403 on watch); a bound that passes resolves with `value: undefined`.
 */
export async function observe<R, T extends { metadata: ObjectMeta }>(
  options: ObserveOptions<R, T>,
): Promise<Observed<R, T>> {
  let last: T | undefined;
  let unreachable: string | undefined;
  const signal = options.timer(options.boundMs);
  const decide = (object: T | undefined): Decision<R> => {
    unreachable = undefined;
    if (object) last = object;
    options.progress.observe(object);
    return options.decide(object);
  };
  try {
    const failed = (error: unknown): void => {
      unreachable = asError(error).message;
    };
    const value = await listAndWatch({ ...options, decide, signal, failed });
    return { value, last };
  } catch (error) {
    if (signal.aborted) return { value: undefined, last, ...(unreachable ? { unreachable } : {}) };
    throw error;
  } finally {
    options.progress.flush();
  }
}

/** What the list+watch loop runs with: the options, the bound as a signal. */
type Loop<R, T extends { metadata: ObjectMeta }> = Pick<
  ObserveOptions<R, T>,
  "stream" | "decide" | "delay" | "onReconnect"
> & { signal: AbortSignal; failed(error: unknown): void };

type WatchOutcome<R> = { final: R } | { resourceVersion: string | undefined; error?: unknown };

/** Lists, then watches, until a decision; rejects on a permanent error or when the signal aborts. */
async function listAndWatch<R, T extends { metadata: ObjectMeta }>(loop: Loop<R, T>): Promise<R> {
  const { stream, decide, signal } = loop;
  let resourceVersion: string | undefined;
  let backoff = 0;
  const retryAfter = async (what: string, error: unknown): Promise<void> => {
    if (isPermanentWatchError(error)) throw asError(error);
    loop.failed(error);
    backoff = Math.min(Math.max(1000, backoff * 2), MAX_BACKOFF_MS);
    loop.onReconnect?.(`${what} error: ${asError(error).message}; retrying in ${backoff}ms`);
    await loop.delay(backoff, signal);
  };
  for (;;) {
    signal.throwIfAborted();
    if (resourceVersion === undefined) {
      // A list can fail like a watch (an apiserver restarting answers 503): retry it the same way.
      const listing = await stream.list().catch((error: unknown) => ({ error }));
      if ("error" in listing) {
        await retryAfter("list", listing.error);
        continue;
      }
      const decision = decide(listing.object);
      if (decision.done) return decision.value;
      resourceVersion = listing.resourceVersion;
    }
    const outcome = await watchOnce(loop, resourceVersion);
    if ("final" in outcome) return outcome.final;
    signal.throwIfAborted();
    resourceVersion = outcome.resourceVersion;
    if (outcome.error === undefined) {
      backoff = 0;
      loop.onReconnect?.("watch closed");
      continue;
    }
    await retryAfter("watch", outcome.error);
  }
}

/** Runs one watch from `fromVersion` until a decision, the end of the stream, or the bound. */
function watchOnce<R, T extends { metadata: ObjectMeta }>(
  loop: Loop<R, T>,
  fromVersion: string,
): Promise<WatchOutcome<R>> {
  const { stream, decide, signal } = loop;
  return new Promise<WatchOutcome<R>>((resolve) => {
    let lastVersion: string | undefined = fromVersion;
    let handle: WatchHandle | undefined;
    let settled = false;
    const finish = (outcome: WatchOutcome<R>): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener("abort", onAbort);
      handle?.stop();
      resolve(outcome);
    };
    const onAbort = (): void => {
      finish({ resourceVersion: lastVersion });
    };
    const onEvent = (event: WatchEvent<T>): void => {
      if (settled) return;
      if (event.type === "ERROR") {
        if (event.code === 410) finish({ resourceVersion: undefined });
        else
          finish({
            resourceVersion: lastVersion,
            error: new KubeApiError(event.message, event.code, "", event.message),
          });
        return;
      }
      lastVersion = event.object.metadata.resourceVersion ?? lastVersion;
      if (event.type === "BOOKMARK") return;
      const decision = decide(event.type === "DELETED" ? undefined : event.object);
      if (decision.done) finish({ final: decision.value });
    };
    signal.addEventListener("abort", onAbort, { once: true });
    stream.watch(fromVersion, onEvent).then(
      (h) => {
        handle = h;
        if (settled) h.stop();
        h.closed.then(
          (error) => {
            const gone = error as { code?: unknown; statusCode?: unknown } | undefined;
            if (gone?.code === 410 || gone?.statusCode === 410) finish({ resourceVersion: undefined });
            else finish({ resourceVersion: lastVersion, error: error ?? undefined });
          },
          (error: unknown) => {
            finish({ resourceVersion: lastVersion, error });
          },
        );
      },
      (error: unknown) => {
        finish({ resourceVersion: lastVersion, error });
      },
    );
  });
}
