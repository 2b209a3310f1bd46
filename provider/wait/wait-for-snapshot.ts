/** Waits for a snapshot's verdict within a local bound, reporting progress; never throws on Failed. */
import type { SnapshotCluster, SnapshotRef } from "../kube/cluster";
import type { VirtualMachineSnapshot } from "../kube/types";
import type { ProgressReporter } from "../progress";
import { snapshotVerdict, type Verdict, type WaitFor } from "../verdict";
import { observeSnapshot } from "./observe";

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

/** Watches the snapshot until done or failed, or until `boundMs` passes. */
export async function waitForSnapshot(options: WaitOptions): Promise<WaitResult> {
  let last: VirtualMachineSnapshot | undefined;
  const signal = options.timer(options.boundMs);
  try {
    const outcome = await observeSnapshot<WaitResult["outcome"]>({
      cluster: options.cluster,
      ref: options.ref,
      signal,
      delay: options.delay,
      decide: (object) => {
        if (object) last = object;
        options.progress.observe(object);
        const verdict = snapshotVerdict(object, options.waitFor);
        return verdict.kind === "pending" ? { done: false } : { done: true, value: verdict };
      },
    });
    return { outcome, last };
  } catch (error) {
    if (signal.aborted) return { outcome: { kind: "timeout" }, last };
    throw error;
  } finally {
    options.progress.flush();
  }
}

/** Watches until the snapshot no longer exists; resolves false when `boundMs` passes first. */
export async function waitForDeletion(
  options: Omit<WaitOptions, "waitFor">,
): Promise<{ gone: boolean; last: VirtualMachineSnapshot | undefined }> {
  let last: VirtualMachineSnapshot | undefined;
  const signal = options.timer(options.boundMs);
  try {
    await observeSnapshot<true>({
      cluster: options.cluster,
      ref: options.ref,
      signal,
      delay: options.delay,
      decide: (object) => {
        if (object) last = object;
        options.progress.observe(object);
        return object ? { done: false } : { done: true, value: true };
      },
    });
    return { gone: true, last };
  } catch (error) {
    if (signal.aborted) return { gone: false, last };
    throw error;
  } finally {
    options.progress.flush();
  }
}
