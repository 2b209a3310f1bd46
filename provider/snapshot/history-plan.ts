/**
 * Which of a resource's history snapshots to keep and which to prune. Pure: the lifecycle code lists the
 * snapshots, this decides, the lifecycle code deletes.
 */
import { CREATED_AT_ANNOTATION } from "../core/constants";
import type { VirtualMachineSnapshot } from "../kube/types";

/** One history snapshot as the decision and the outputs see it. */
export interface HistoryEntry {
  /** Kubernetes name of the snapshot. */
  name: string;
  /** When the point in time was cut (ISO 8601), "" if it never was. */
  creationTime: string;
  /** Whether every volume snapshot is usable. */
  readyToUse: boolean;
  /** KubeVirt's phase ("" before its first status write). */
  phase: string;
  /** When the object was created (ISO 8601; to the millisecond when this provider made it); orders the history. */
  createdAt: string;
}

/** The outcome of {@link planHistory}: entries to keep (newest first) and to prune (in pruning order). */
export interface HistoryPlan {
  keep: HistoryEntry[];
  prune: HistoryEntry[];
}

/** Reduces a snapshot to a history entry. */
export function historyEntry(snapshot: VirtualMachineSnapshot): HistoryEntry {
  const status = snapshot.status ?? {};
  return {
    name: snapshot.metadata.name ?? "",
    creationTime: status.creationTime ?? "",
    readyToUse: status.readyToUse === true,
    phase: status.phase ?? "",
    createdAt:
      snapshot.metadata.annotations?.[CREATED_AT_ANNOTATION] ?? snapshot.metadata.creationTimestamp ?? "",
  };
}

const instant = (iso: string): number => Date.parse(iso) || 0;
const olderFirst = (a: HistoryEntry, b: HistoryEntry): number =>
  instant(a.createdAt) - instant(b.createdAt) || a.name.localeCompare(b.name);

/**
 * Keeps the newest `keep` entries and prunes the rest: Failed snapshots go first (they cannot be restored
 * from), then the oldest. Entries are ordered by object creation time, then name.
 */
export function planHistory(entries: readonly HistoryEntry[], keep: number): HistoryPlan {
  const failed = entries.filter((e) => e.phase === "Failed").sort(olderFirst);
  const others = entries.filter((e) => e.phase !== "Failed").sort(olderFirst);
  const pruneOrder = [...failed, ...others];
  const pruneCount = Math.max(0, entries.length - Math.max(0, keep));
  const prune = pruneOrder.slice(0, pruneCount);
  const kept = pruneOrder.slice(pruneCount).sort(olderFirst).reverse();
  return { keep: kept, prune };
}
