/** Waiting on a restore (list + watch by name) within a local bound, reporting progress. */
import type { RestoreCluster, RestoreRef } from "../kube/cluster";
import type { VirtualMachineRestore } from "../kube/types";
import type { ProgressReporter } from "../progress";
import { observeObject, type Decision, type ObjectStream } from "../wait/observe";
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

async function observeRestore<R>(
  options: RestoreWaitOptions,
  decide: (restore: VirtualMachineRestore | undefined) => Decision<R>,
): Promise<{ value: R | undefined; last: VirtualMachineRestore | undefined }> {
  let last: VirtualMachineRestore | undefined;
  const signal = options.timer(options.boundMs);
  try {
    const value = await observeObject<R, VirtualMachineRestore>({
      stream: restoreStream(options.cluster, options.ref),
      signal,
      delay: options.delay,
      decide: (restore) => {
        if (restore) last = restore;
        options.progress.observe(restore);
        return decide(restore);
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

/** Watches the restore until complete or failed, or until `boundMs` passes. */
export async function waitForRestore(options: RestoreWaitOptions): Promise<RestoreWaitResult> {
  const { value, last } = await observeRestore<RestoreWaitResult["outcome"]>(options, (restore) => {
    const verdict = restoreVerdict(restore);
    return verdict.kind === "pending" ? { done: false } : { done: true, value: verdict };
  });
  return { outcome: value ?? { kind: "timeout" }, last };
}

/** Watches until the restore no longer exists; `gone` is false when `boundMs` passes first. */
export async function waitForRestoreDeletion(
  options: RestoreWaitOptions,
): Promise<{ gone: boolean; last: VirtualMachineRestore | undefined }> {
  const { value, last } = await observeRestore<true>(options, (restore) =>
    restore ? { done: false } : { done: true, value: true },
  );
  return { gone: value === true, last };
}
