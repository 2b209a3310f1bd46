/**
 * What to do with a resource's leftovers: the snapshots it created that nothing in state records (they still
 * carry the pending marker, because the run that made them was interrupted). Pure: the lifecycle code lists
 * the resource's snapshots, this decides, the lifecycle code acts.
 */
import {
  CLAIM_ANNOTATION,
  CREATED_AT_ANNOTATION,
  INTENT_ANNOTATION,
  PENDING_ANNOTATION,
} from "../core/constants";
import { findCondition, type VirtualMachineSnapshot } from "../kube/types";
import { isHistory } from "./ownership";

/** Whether the snapshot is not recorded in state yet (its create has not answered). */
export function isPending(snapshot: VirtualMachineSnapshot): boolean {
  return snapshot.metadata.annotations?.[PENDING_ANNOTATION] === "true";
}

/** The claim token on the snapshot (`undefined` on snapshots of builds before claims). */
export function claimOf(snapshot: VirtualMachineSnapshot): string | undefined {
  return snapshot.metadata.annotations?.[CLAIM_ANNOTATION];
}

/** Whether KubeVirt failed the snapshot (it stays Failed: it can only be deleted). */
export function isFailedSnapshot(snapshot: VirtualMachineSnapshot): boolean {
  const status = snapshot.status ?? {};
  return status.phase === "Failed" || findCondition(status.conditions, "Failure")?.status === "True";
}

/** The resource's leftovers among its other snapshots: pending, not history, not being deleted. */
export function leftoversOf(others: readonly VirtualMachineSnapshot[]): VirtualMachineSnapshot[] {
  return others.filter((s) => isPending(s) && !isHistory(s) && !s.metadata.deletionTimestamp);
}

/** The decision of {@link planLeftovers}, by snapshot name. */
export interface LeftoverPlan {
  /** The snapshot the interrupted run was taking, to take over instead of creating another. */
  adopt: string | undefined;
  /** Usable leftovers kept as history (the resource keeps history). */
  toHistory: string[];
  /** Leftovers to delete: Failed, unfinished, or not wanted as history. */
  toDelete: string[];
}

const createdAt = (s: VirtualMachineSnapshot): number =>
  Date.parse(s.metadata.annotations?.[CREATED_AT_ANNOTATION] ?? s.metadata.creationTimestamp ?? "") || 0;

/**
 * Settles leftovers for a create with intent `intent`: the newest one of the same intent that is not Failed is
 * adopted (it is the snapshot the interrupted run was taking, with the same VM, spec and triggers); of the
 * rest, those ready to use become history when the resource keeps any (`keepHistory` > 0, pruned later like
 * any history), and the others are deleted.
 */
export function planLeftovers(
  leftovers: readonly VirtualMachineSnapshot[],
  intent: string,
  keepHistory: number,
): LeftoverPlan {
  const newestFirst = [...leftovers].sort((a, b) => createdAt(b) - createdAt(a));
  const adopted = newestFirst.find(
    (s) => s.metadata.annotations?.[INTENT_ANNOTATION] === intent && !isFailedSnapshot(s),
  );
  const plan: LeftoverPlan = { adopt: adopted?.metadata.name, toHistory: [], toDelete: [] };
  for (const s of newestFirst) {
    if (s === adopted) continue;
    const usable = s.status?.readyToUse === true && !isFailedSnapshot(s);
    (usable && keepHistory > 0 ? plan.toHistory : plan.toDelete).push(s.metadata.name ?? "");
  }
  return plan;
}
