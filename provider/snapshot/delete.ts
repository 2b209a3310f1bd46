/**
 * `delete`: delete the snapshot and wait until it is gone (404 counts as done); on a destroy the resource's
 * history goes too, unless `retainHistoryOnDestroy`. Create and the history pruning delete through
 * {@link deleteAndWait} as well.
 */
import { formatDuration, parseDuration } from "../../shared/duration";
import { DEFAULT_DELETE_TIMEOUT } from "../core/constants";
import { observe, untilGone } from "../core/observe";
import type { OperationContext } from "../core/operation";
import type { SnapshotRef } from "../kube/cluster";
import { snapshotStream } from "../kube/streams";
import type { VirtualMachineSnapshot } from "../kube/types";
import { ownSnapshots, type HistoryOwner } from "./owned-snapshots";
import { isHistory, isOwnedBy } from "./ownership";
import type { SnapshotState } from "./state";

/** Deletes a snapshot and waits until it is gone (finalizers released), within `deleteTimeout`. */
export async function deleteAndWait(
  ctx: OperationContext,
  ref: SnapshotRef,
  deleteTimeout: string,
): Promise<void> {
  if (!(await ctx.cluster.deleteSnapshot(ref))) return;
  const boundMs = parseDuration(deleteTimeout) ?? 300_000;
  const { value: gone, last } = await observe<true, VirtualMachineSnapshot>({
    ...ctx.deps,
    stream: snapshotStream(ctx.cluster, ref),
    decide: untilGone,
    boundMs,
    progress: ctx.reporter(ref, { activity: "deleting" }),
  });
  if (gone) return;
  throw ctx.fail(
    `VirtualMachineSnapshot ${ref.namespace}/${ref.name} was still there ` +
      `${formatDuration(boundMs)} after its deletion (phase ${last?.status?.phase ?? "?"}, finalizers ` +
      `${JSON.stringify(last?.metadata.finalizers ?? [])}). KubeVirt removes its finalizer once the content is gone ` +
      `and the VM unlocked. Fix: check the KubeVirt controller, the VM's status.snapshotInProgress and the ` +
      `content's finalizers (kubectl get vmsnapshotcontent -n ${ref.namespace}), then run the operation again.`,
  );
}

/** Whether the snapshot was taken over as history by this resource's replacement (so it must stay). */
async function keptByReplacement(ctx: OperationContext, owner: string): Promise<boolean> {
  const live = await ctx.cluster.getSnapshot(ctx.ref);
  return live !== undefined && isOwnedBy(live, owner) && isHistory(live);
}

/**
 * After the resource's own snapshot was deleted: if no other current snapshot of this owner exists (a
 * destroy, not a replacement), delete its history too, unless `retain`.
 */
async function dropHistoryOnDestroy(
  ctx: OperationContext,
  owner: HistoryOwner,
  retain: boolean,
): Promise<void> {
  const own = await ownSnapshots(ctx, owner.owner);
  if (own.some((s) => !isHistory(s))) return;
  const history = own.filter(isHistory);
  if (history.length === 0) return;
  const names = history.map((s) => s.metadata.name ?? "").join(", ");
  if (retain) {
    ctx.say(
      `retainHistoryOnDestroy: keeping ${history.length} history snapshot(s) in ` +
        `${ctx.ref.namespace}: ${names}. Delete them yourself when no longer needed.`,
    );
    return;
  }
  ctx.say(`deleting ${history.length} history snapshot(s): ${names}.`);
  for (const snapshot of history) {
    await deleteAndWait(ctx, ctx.refTo(snapshot.metadata.name ?? ""), owner.deleteTimeout);
  }
}

/** Deletes the resource's snapshot (`ctx.ref`), whatever its phase, as its stored `state` describes it. */
export async function deleteSnapshot(ctx: OperationContext, state: SnapshotState): Promise<void> {
  const { namespace, name } = ctx.ref;
  const { owner } = state;
  const deleteTimeout = state.deleteTimeout ?? DEFAULT_DELETE_TIMEOUT;
  if (owner && (await keptByReplacement(ctx, owner))) {
    ctx.say(`${namespace}/${name} is kept as history of "${owner}" by its replacement; not deleting it.`);
    return;
  }
  await deleteAndWait(ctx, ctx.ref, deleteTimeout);
  if (owner && state.history > 0) {
    await dropHistoryOnDestroy(ctx, { owner, deleteTimeout }, state.retainHistoryOnDestroy);
  }
  if (state.deletionPolicy === "Retain" && state.readyToUse) {
    ctx.say(
      `deletionPolicy Retain: the VirtualMachineSnapshotContent ${state.contentName} ` +
        "and its VolumeSnapshots stay in the cluster; delete them yourself when no longer needed.",
    );
  }
}
