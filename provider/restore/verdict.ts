/** One observed `VirtualMachineRestore` → what a waiting `create` does. Pure. */
import type { Decision } from "../core/observe";
import { findCondition, type VirtualMachineRestore } from "../kube/types";

/** The decision for one observation of a restore. */
export type RestoreVerdict =
  { kind: "done" } | { kind: "failed"; reason: string } | { kind: "pending"; progressing: string };

/**
 * `status.complete` → done; a `Failure=True` condition (KubeVirt writes it only for target-readiness
 * failures, and never takes it back) → failed with KubeVirt's reason; gone or being deleted → failed;
 * anything else (including errors KubeVirt retries, which it puts in the Progressing reason) → pending.
 */
export function restoreVerdict(restore: VirtualMachineRestore | undefined): RestoreVerdict {
  if (!restore) return { kind: "failed", reason: "the restore was deleted while waiting for it" };
  const status = restore.status ?? {};
  const failure = findCondition(status.conditions, "Failure");
  if (failure?.status === "True")
    return { kind: "failed", reason: failure.reason || failure.message || "Failure" };
  if (status.complete === true) return { kind: "done" };
  if (restore.metadata.deletionTimestamp) return { kind: "failed", reason: "the restore is being deleted" };
  const progressing = findCondition(status.conditions, "Progressing");
  return { kind: "pending", progressing: progressing?.reason ?? "" };
}

/** A verdict that ends a wait. */
export type FinalRestoreVerdict = Exclude<RestoreVerdict, { kind: "pending" }>;

/** The wait's decision on one observed restore: stop at a final verdict, keep watching while pending. */
export function decideRestore(restore: VirtualMachineRestore | undefined): Decision<FinalRestoreVerdict> {
  const verdict = restoreVerdict(restore);
  return verdict.kind === "pending" ? { done: false } : { done: true, value: verdict };
}
