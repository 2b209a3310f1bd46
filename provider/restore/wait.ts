/** Waiting on a restore (list + watch by name) within a local bound, reporting progress. */
import type { RestoreCluster, RestoreRef } from "../kube/cluster";
import type { VirtualMachineRestore } from "../kube/types";
import type { ProgressReporter } from "../progress";
import type { ObjectStream } from "../wait/observe";
import { observeWithin } from "../wait/observe-within";
import { restoreVerdict, type RestoreVerdict } from "./verdict";

/** How a restore wait ended, with the last object seen. */
export interface RestoreWaitResult {
  outcome: Exclude<RestoreVerdict, { kind: "pending" }> | { kind: "timeout" };
  last: VirtualMachineRestore | undefined;
}

/** What a restore wait needs. */
export interface RestoreWaitOptions {
  cluster: RestoreCluster;
  ref: RestoreRef;
  boundMs: number;
  progress: ProgressReporter<VirtualMachineRestore>;
  timer(ms: number): AbortSignal;
  delay(ms: number, signal: AbortSignal): Promise<void>;
}

function restoreStream(cluster: RestoreCluster, ref: RestoreRef): ObjectStream<VirtualMachineRestore> {
  return {
    list: () => cluster.listRestore(ref),
    watch: (resourceVersion, onEvent) => cluster.watchRestore(ref, resourceVersion, onEvent),
  };
}

/** Watches the restore until complete or failed, or until `boundMs` passes. */
export async function waitForRestore(options: RestoreWaitOptions): Promise<RestoreWaitResult> {
  const stream = restoreStream(options.cluster, options.ref);
  const { value, last } = await observeWithin<RestoreWaitResult["outcome"], VirtualMachineRestore>(
    { ...options, stream },
    (restore) => {
      const verdict = restoreVerdict(restore);
      return verdict.kind === "pending" ? { done: false } : { done: true, value: verdict };
    },
  );
  return { outcome: value ?? { kind: "timeout" }, last };
}

/** Watches until the restore no longer exists; `gone` is false when `boundMs` passes first. */
export async function waitForRestoreDeletion(
  options: RestoreWaitOptions,
): Promise<{ gone: boolean; last: VirtualMachineRestore | undefined }> {
  const stream = restoreStream(options.cluster, options.ref);
  const { value, last } = await observeWithin<true, VirtualMachineRestore>(
    { ...options, stream },
    (restore) => (restore ? { done: false } : { done: true, value: true }),
  );
  return { gone: value === true, last };
}
