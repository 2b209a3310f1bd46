/** What every waiter the bench compares has in common. */

/** The peer names, in table order. */
export const PEER_NAMES = {
  provider: "pulumi-kubevirt-snapshot",
  kubectl: "kubectl wait",
  customResource: "CustomResource + waitFor",
  floor: "plain watch (floor)",
} as const;

/** A snapshot to take and wait for. */
export interface Target {
  namespace: string;
  vm: string;
  /** KubeVirt's failureDeadline of the snapshot (Go duration). */
  failureDeadline: string;
  /** How long a waiter with a timeout of its own waits, seconds. */
  timeoutS: number;
  /** Unique per run: names the snapshot or the resource. */
  label: string;
}

/** How a wait ended, and when (epoch ms, bench clock). */
export interface WaitEnd {
  at: number;
  ok: boolean;
  message: string;
}

/** A wait under way. */
export interface Wait {
  /** The snapshot's name. */
  snapshot: string;
  /** Resolves once the waiter's watch is in place (so a change from here on is seen live). */
  armed: Promise<void>;
  /** Resolves when the waiter returns, with success or an error; never rejects. */
  done: Promise<WaitEnd>;
}

/** One way to take a snapshot and wait for it. */
export interface Peer {
  readonly name: string;
  /** Creates the snapshot and starts waiting for it. */
  start(target: Target): Promise<Wait>;
  close(): Promise<void>;
}

/** The {@link WaitEnd} of a promise: resolved is success, rejected an error with its message. */
export function ending(work: Promise<unknown>, now: () => number): Promise<WaitEnd> {
  return work.then(
    () => ({ at: now(), ok: true, message: "" }),
    (error: unknown) => ({
      at: now(),
      ok: false,
      message: error instanceof Error ? error.message : String(error),
    }),
  );
}

/** `promise`, with a rejection handler attached so that not awaiting it never crashes the process. */
export function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}
