/**
 * History of one resource: after a replacement the earlier snapshots are labelled as history and pruned to
 * the newest `history` (on destroy they go too unless `retainHistoryOnDestroy`: delete.ts). Only snapshots
 * this package made for this owner are touched (ownership.ts).
 */
import { HISTORY_LABEL } from "../core/constants";
import type { ProviderDeps } from "../core/deps";
import { historyEntry, planHistory, type HistoryEntry } from "./history-plan";
import { isHistory } from "./ownership";
import { ownSnapshots, type HistoryOwner } from "./owned-snapshots";
import type { VirtualMachineSnapshot } from "../kube/types";
import { deleteAndWait } from "./delete";
import type { Session } from "../core/session";

/** One kept history snapshot in the outputs (`keptHistory`). */
export type HistoryOutput = Omit<HistoryEntry, "createdAt">;

function toOutput({ createdAt: _createdAt, ...entry }: HistoryEntry): HistoryOutput {
  return entry;
}

/**
 * Settles the history once `current` is the resource's snapshot: with `takeOver` (after a create) the
 * snapshots it replaces become history when `keep` > 0; then history beyond `keep` is pruned.
 * @returns the kept history, newest first.
 */
export async function settleHistory(
  deps: ProviderDeps,
  session: Session,
  owner: HistoryOwner,
  current: string,
  options: { keep: number; takeOver: boolean },
): Promise<HistoryOutput[]> {
  const own = await ownSnapshots(session, owner, current);
  const history: VirtualMachineSnapshot[] = [];
  for (const snapshot of own) {
    if (isHistory(snapshot)) history.push(snapshot);
    else if (options.takeOver && options.keep > 0)
      history.push(await markAsHistory(deps, session, owner, snapshot));
  }
  const plan = planHistory(history.map(historyEntry), options.keep);
  for (const entry of plan.prune) {
    deps.log.info(
      `[${owner.resourceName}] pruning history snapshot ${owner.namespace}/${entry.name} ` +
        `(phase ${entry.phase || "?"}, keeping the newest ${options.keep}).`,
    );
    await deleteAndWait(deps, session, owner, {
      version: session.version,
      namespace: owner.namespace,
      name: entry.name,
    });
  }
  return plan.keep.map(toOutput);
}

async function markAsHistory(
  deps: ProviderDeps,
  session: Session,
  owner: HistoryOwner,
  snapshot: VirtualMachineSnapshot,
): Promise<VirtualMachineSnapshot> {
  const name = snapshot.metadata.name ?? "";
  deps.log.info(
    `[${owner.resourceName}] keeping the replaced snapshot ${owner.namespace}/${name} as history.`,
  );
  return session.cluster.patchSnapshotMetadata(
    { version: session.version, namespace: owner.namespace, name },
    { labels: { [HISTORY_LABEL]: "true" }, annotations: {} },
  );
}

/** The kept history as it is now (for refresh), newest first. */
export async function listHistory(
  session: Session,
  owner: HistoryOwner,
  current: string,
): Promise<HistoryOutput[]> {
  const history = (await ownSnapshots(session, owner, current)).filter(isHistory);
  return planHistory(history.map(historyEntry), history.length).keep.map(toOutput);
}
