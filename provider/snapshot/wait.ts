/** Waits for a snapshot's verdict within a local bound, reporting progress; never throws on Failed. */
import type { SnapshotCluster, SnapshotRef } from "../kube/cluster";
import type { VirtualMachineSnapshot } from "../kube/types";
import type { ProgressReporter } from "../core/progress";
import { snapshotVerdict, type Verdict, type WaitFor } from "./verdict";
import { snapshotStream } from "../core/observe";
import { observeWithin } from "../core/observe-within";

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
  const stream = snapshotStream(options.cluster, options.ref);
  const { value, last } = await observeWithin<WaitResult["outcome"], VirtualMachineSnapshot>(
    { ...options, stream },
    (object) => {
      const verdict = snapshotVerdict(object, options.waitFor);
      return verdict.kind === "pending" ? { done: false } : { done: true, value: verdict };
    },
  );
  return { outcome: value ?? { kind: "timeout" }, last };
}

/** Watches until the snapshot no longer exists; `gone` is false when `boundMs` passes first. */
export async function waitForDeletion(
  options: Omit<WaitOptions, "waitFor">,
): Promise<{ gone: boolean; last: VirtualMachineSnapshot | undefined }> {
  const stream = snapshotStream(options.cluster, options.ref);
  const { value, last } = await observeWithin<true, VirtualMachineSnapshot>(
    { ...options, stream },
    (object) => (object ? { done: false } : { done: true, value: true }),
  );
  return { gone: value === true, last };
}
