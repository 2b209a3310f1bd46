/**
 * Event-driven observation of one snapshot: list (to get the object and a resourceVersion), then watch
 * from that resourceVersion; reconnect from the last seen version when the stream is cut, and list again
 * when the server says the version is too old (410 Gone). No polling: every decision is made on an event.
 */
import { KubeApiError } from "./errors";
import type { Listing, SnapshotCluster, SnapshotRef, WatchEvent, WatchHandle } from "../kube/cluster";
import type { ObjectMeta, VirtualMachineSnapshot } from "../kube/types";

/** A decision on one observation: stop with a value, or keep watching. */
export type Decision<R> = { done: true; value: R } | { done: false };

/** One object by name, as list and watch calls (a snapshot, a restore). */
export interface ObjectStream<T extends { metadata: ObjectMeta }> {
  list(): Promise<Listing<T>>;
  watch(resourceVersion: string, onEvent: (event: WatchEvent<T>) => void): Promise<WatchHandle>;
}

/** The stream of one snapshot in a cluster. */
export function snapshotStream(
  cluster: SnapshotCluster,
  ref: SnapshotRef,
): ObjectStream<VirtualMachineSnapshot> {
  return {
    list: () => cluster.listSnapshot(ref),
    watch: (resourceVersion, onEvent) => cluster.watchSnapshot(ref, resourceVersion, onEvent),
  };
}

/** Options of {@link observeSnapshot}. */
export interface ObserveOptions<R, T extends { metadata: ObjectMeta } = VirtualMachineSnapshot> {
  cluster: SnapshotCluster;
  ref: SnapshotRef;
  /** Called with every observed state (`undefined` = the object does not exist). */
  decide(object: T | undefined): Decision<R>;
  /** Aborted when the caller's bound passes; the loop then rejects with the signal's reason. */
  signal: AbortSignal;
  /** Waits before a reconnect after an error (injected so tests need no real backoff). */
  delay(ms: number, signal: AbortSignal): Promise<void>;
  /** Told about every reconnect, for diagnostics. */
  onReconnect?(why: string): void;
}

type WatchOutcome<R> = { final: R } | { resourceVersion: string | undefined; error?: unknown };

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

/** Options of {@link observeObject}: a stream instead of a cluster and a snapshot. */
export type ObserveObjectOptions<R, T extends { metadata: ObjectMeta }> = Omit<
  ObserveOptions<R, T>,
  "cluster" | "ref"
> & { stream: ObjectStream<T> };

/** Observes the snapshot until `decide` says done; rejects on a permanent error or when `signal` aborts. */
export function observeSnapshot<R>(options: ObserveOptions<R>): Promise<R> {
  const { cluster, ref, ...rest } = options;
  return observeObject({ ...rest, stream: snapshotStream(cluster, ref) });
}

/** Observes one object until `decide` says done; rejects on a permanent error or when `signal` aborts. */
export async function observeObject<R, T extends { metadata: ObjectMeta }>(
  options: ObserveObjectOptions<R, T>,
): Promise<R> {
  const { stream, decide, signal } = options;
  let resourceVersion: string | undefined;
  let backoff = 0;
  const retryAfter = async (what: string, error: unknown): Promise<void> => {
    if (isPermanentWatchError(error)) throw asError(error);
    backoff = Math.min(Math.max(1000, backoff * 2), MAX_BACKOFF_MS);
    options.onReconnect?.(`${what} error: ${asError(error).message}; retrying in ${backoff}ms`);
    await options.delay(backoff, signal);
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
    const outcome = await watchOnce(options, resourceVersion);
    if ("final" in outcome) return outcome.final;
    signal.throwIfAborted();
    resourceVersion = outcome.resourceVersion;
    if (outcome.error === undefined) {
      backoff = 0;
      options.onReconnect?.("watch closed");
      continue;
    }
    await retryAfter("watch", outcome.error);
  }
}

function watchOnce<R, T extends { metadata: ObjectMeta }>(
  options: ObserveObjectOptions<R, T>,
  fromVersion: string,
): Promise<WatchOutcome<R>> {
  const { stream, decide, signal } = options;
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
