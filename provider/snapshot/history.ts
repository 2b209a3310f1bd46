/**
 * History of one resource: after a replacement the earlier snapshots are labelled as history and pruned to
 * the newest `history` (on destroy they go too unless `retainHistoryOnDestroy`: delete.ts). Only snapshots
 * this package made for this owner are touched (ownership.ts).
 */
import { HISTORY_LABEL } from "../core/constants";
import type { OperationContext } from "../core/operation";
import type { VirtualMachineSnapshot } from "../kube/types";
import { deleteAndWait } from "./delete";
import { historyEntry, planHistory, type HistoryEntry } from "./history-plan";
import { ownSnapshots, type HistoryOwner } from "./owned-snapshots";
import { isHistory } from "./ownership";

/** One kept history snapshot in the outputs (`keptHistory`). */
export type HistoryOutput = Omit<HistoryEntry, "createdAt">;

function toOutput({ createdAt: _createdAt, ...entry }: HistoryEntry): HistoryOutput {
  return entry;
}

/**
 * Settles the history once `ctx.ref` is the resource's snapshot: with `takeOver` (after a create) the
 * snapshots it replaces become history when `keep` > 0; then history beyond `keep` is pruned. `listed`: the
 * resource's other snapshots when the caller has just listed them (the create did, before creating).
 * @returns the kept history, newest first.
 */
export async function settleHistory(
  ctx: OperationContext,
  owner: HistoryOwner,
  options: { keep: number; takeOver: boolean; listed?: VirtualMachineSnapshot[] },
): Promise<HistoryOutput[]> {
  const own = options.listed ?? (await ownSnapshots(ctx, owner.owner));
  const history: VirtualMachineSnapshot[] = [];
  for (const snapshot of own) {
    if (isHistory(snapshot)) history.push(snapshot);
    else if (options.takeOver && options.keep > 0) history.push(await markAsHistory(ctx, snapshot));
  }
  const plan = planHistory(history.map(historyEntry), options.keep);
  for (const entry of plan.prune) {
    ctx.say(
      `pruning history snapshot ${ctx.ref.namespace}/${entry.name} ` +
        `(phase ${entry.phase || "?"}, keeping the newest ${options.keep}).`,
    );
    await deleteAndWait(ctx, ctx.refTo(entry.name), owner.deleteTimeout);
  }
  return plan.keep.map(toOutput);
}

async function markAsHistory(
  ctx: OperationContext,
  snapshot: VirtualMachineSnapshot,
): Promise<VirtualMachineSnapshot> {
  const name = snapshot.metadata.name ?? "";
  ctx.say(`keeping the replaced snapshot ${ctx.ref.namespace}/${name} as history.`);
  return ctx.cluster.patchSnapshotMetadata(ctx.refTo(name), {
    labels: { [HISTORY_LABEL]: "true" },
    annotations: {},
  });
}

/** The kept history of `owner` as it is now (for refresh), newest first. */
export async function listHistory(ctx: OperationContext, owner: string): Promise<HistoryOutput[]> {
  const history = (await ownSnapshots(ctx, owner)).filter(isHistory);
  return planHistory(history.map(historyEntry), history.length).keep.map(toOutput);
}
