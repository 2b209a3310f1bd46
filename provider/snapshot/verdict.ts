/**
 * Phase → verdict: what one observed `VirtualMachineSnapshot` means for a waiting `create`.
 * Pure; the wait loop (core/observe.ts) calls it for every object it sees.
 */
import type { Decision } from "../core/observe";
import { findCondition, type VirtualMachineSnapshot } from "../kube/types";

/** What the caller waits for: readiness of every volume snapshot, or just the cut point in time. */
export type WaitFor = "readyToUse" | "succeeded";

/** The decision for one observation. */
export type Verdict =
  | { kind: "done" }
  | { kind: "failed"; reason: string; message: string }
  | { kind: "pending"; progressing: string; transientError: string };

/**
 * Decides from one observed snapshot (`undefined` = it no longer exists).
 * Failed → failed at once (Failure reason and `status.error.message`); Succeeded (and readyToUse when asked)
 * → done; anything else → pending, with the Progressing reason and any transient error to report.
 */
export function snapshotVerdict(snapshot: VirtualMachineSnapshot | undefined, waitFor: WaitFor): Verdict {
  if (!snapshot) {
    return {
      kind: "failed",
      reason: "snapshot deleted",
      message: "the snapshot was deleted while waiting for it",
    };
  }
  const status = snapshot.status ?? {};
  const failure = findCondition(status.conditions, "Failure");
  const errorMessage = status.error?.message ?? "";
  if (status.phase === "Failed" || failure?.status === "True") {
    return { kind: "failed", reason: failure?.reason || "Failed", message: errorMessage };
  }
  if (status.phase === "Deleting" || snapshot.metadata.deletionTimestamp) {
    return { kind: "failed", reason: "snapshot is being deleted", message: errorMessage };
  }
  if (status.readyToUse === true) return { kind: "done" };
  if (status.phase === "Succeeded" && waitFor === "succeeded") return { kind: "done" };
  const progressing = findCondition(status.conditions, "Progressing");
  return { kind: "pending", progressing: progressing?.reason ?? "", transientError: errorMessage };
}

/** A verdict that ends a wait. */
export type FinalVerdict = Exclude<Verdict, { kind: "pending" }>;

/** The wait's decision on one observed snapshot: stop at a final verdict, keep watching while pending. */
export function decideSnapshot(
  waitFor: WaitFor,
): (snapshot: VirtualMachineSnapshot | undefined) => Decision<FinalVerdict> {
  return (snapshot) => {
    const verdict = snapshotVerdict(snapshot, waitFor);
    return verdict.kind === "pending" ? { done: false } : { done: true, value: verdict };
  };
}
