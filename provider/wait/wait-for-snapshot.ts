/** Waits for a snapshot's verdict within a local bound, reporting progress; never throws on Failed. */
import type { SnapshotCluster, SnapshotRef } from "../kube/cluster";
import type { VirtualMachineSnapshot } from "../kube/types";
import type { ProgressReporter } from "../progress";
import { snapshotVerdict, type Verdict, type WaitFor } from "../verdict";
import { observeSnapshot, type Decision } from "./observe";

/** How a wait ended: a verdict, or the bound passed ("timeout"), with the last object seen. */
export interface WaitResult {
  outcome: Exclude<Verdict, { kind: "pending" }> | { kind: "timeout" };
  last: VirtualMachineSnapshot | undefined;
}

/** Inputs of {@link waitForSnapshot}. */
export interface WaitOptions {
  cluster: SnapshotCluster;
  ref: SnapshotRef;
  waitFor: WaitFor;
  boundMs: number;
  progress: ProgressReporter;
  timer(ms: number): AbortSignal;
  delay(ms: number, signal: AbortSignal): Promise<void>;
}

/**
 * Observes the snapshot with `decide` until it says done or `boundMs` passes; remembers the last object
 * seen and prints each observation as progress. Resolves `undefined` when the bound passed first.
 */
async function observeWithin<R>(
  options: Omit<WaitOptions, "waitFor">,
  decide: (object: VirtualMachineSnapshot | undefined) => Decision<R>,
): Promise<{ value: R | undefined; last: VirtualMachineSnapshot | undefined }> {
  let last: VirtualMachineSnapshot | undefined;
  const signal = options.timer(options.boundMs);
  try {
    const value = await observeSnapshot<R>({
      cluster: options.cluster,
      ref: options.ref,
      signal,
      delay: options.delay,
      decide: (object) => {
        if (object) last = object;
        options.progress.observe(object);
        return decide(object);
      },
    });
    return { value, last };
  } catch (error) {
    if (signal.aborted) return { value: undefined, last };
    throw error;
  } finally {
    options.progress.flush();
  }
}

/** Watches the snapshot until done or failed, or until `boundMs` passes. */
export async function waitForSnapshot(options: WaitOptions): Promise<WaitResult> {
  const { value, last } = await observeWithin<WaitResult["outcome"]>(options, (object) => {
    const verdict = snapshotVerdict(object, options.waitFor);
    return verdict.kind === "pending" ? { done: false } : { done: true, value: verdict };
  });
  return { outcome: value ?? { kind: "timeout" }, last };
}

/** Watches until the snapshot no longer exists; `gone` is false when `boundMs` passes first. */
export async function waitForDeletion(
  options: Omit<WaitOptions, "waitFor">,
): Promise<{ gone: boolean; last: VirtualMachineSnapshot | undefined }> {
  const { value, last } = await observeWithin<true>(options, (object) =>
    object ? { done: false } : { done: true, value: true },
  );
  return { gone: value === true, last };
}
