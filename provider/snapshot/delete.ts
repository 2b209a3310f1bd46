/**
 * `delete`: delete the snapshot and wait until it is gone (404 counts as done), with the resource's leftovers
 * of interrupted runs; on a destroy the resource's history goes too, unless `retainHistoryOnDestroy`. Create and the history pruning delete through
 * {@link deleteAndWait} as well.
 */
import { formatDuration, parseDuration } from "../../shared/duration";
import { isUnreachable } from "../core/errors";
import { unreachableAfterDelete } from "../core/unreachable";
import { DEFAULT_DELETE_TIMEOUT } from "../core/constants";
import { observe, untilGone } from "../core/observe";
import type { OperationContext } from "../core/operation";
import type { SnapshotRef } from "../kube/cluster";
import { snapshotStream } from "../kube/streams";
import type { VirtualMachineSnapshot } from "../kube/types";
import { claimOf, isPending, leftoversOf } from "./leftover-plan";
import { ownSnapshotsAround, type OwnedAround } from "./owned-snapshots";
import { isHistory } from "./ownership";
import type { SnapshotState } from "./state";

/**
 * Asks for the snapshot's deletion, riding out an API server that gives no answer (refused, or the connection
 * closed before the response, when the deletion may have happened) within `boundMs`: a delete may be repeated,
 * and a 404 then means done. Returns whether there was something to delete, or the last connection error
 * when the bound passed.
 */
async function requestDeletion(
  ctx: OperationContext,
  ref: SnapshotRef,
  boundMs: number,
): Promise<boolean | string> {
  const signal = ctx.deps.timer(boundMs);
  for (let backoff = 0; ;) {
    try {
      return await ctx.cluster.deleteSnapshot(ref);
    } catch (error) {
      if (!isUnreachable(error)) throw error;
      backoff = Math.min(Math.max(500, backoff * 2), 5_000);
      await ctx.deps.delay(backoff, signal).catch(() => undefined);
      if (signal.aborted) return (error as Error).message;
    }
  }
}

/** Deletes a snapshot and waits until it is gone (finalizers released), within `deleteTimeout`. */
export async function deleteAndWait(
  ctx: OperationContext,
  ref: SnapshotRef,
  deleteTimeout: string,
): Promise<void> {
  const boundMs = parseDuration(deleteTimeout) ?? 300_000;
  const what = `VirtualMachineSnapshot ${ref.namespace}/${ref.name}`;
  const asked = await requestDeletion(ctx, ref, boundMs);
  if (typeof asked === "string") throw ctx.fail(unreachableAfterDelete(what, boundMs, asked));
  if (!asked) return;
  const {
    value: gone,
    last,
    unreachable,
  } = await observe<true, VirtualMachineSnapshot>({
    ...ctx.deps,
    stream: snapshotStream(ctx.cluster, ref),
    decide: untilGone,
    boundMs,
    progress: ctx.reporter(ref, { activity: "deleting" }),
  });
  if (gone) return;
  if (unreachable) throw ctx.fail(unreachableAfterDelete(what, boundMs, unreachable));
  throw ctx.fail(
    `${what} was still there ` +
      `${formatDuration(boundMs)} after its deletion (phase ${last?.status?.phase ?? "?"}, finalizers ` +
      `${JSON.stringify(last?.metadata.finalizers ?? [])}). KubeVirt removes its finalizer once the content is gone ` +
      `and the VM unlocked. Fix: check the KubeVirt controller, the VM's status.snapshotInProgress and the ` +
      `content's finalizers (kubectl get vmsnapshotcontent -n ${ref.namespace}), then run the operation again.`,
  );
}

/** Deletes leftovers of interrupted runs (snapshots no state records) by name, saying why. */
export async function deleteLeftovers(
  ctx: OperationContext,
  names: readonly string[],
  deleteTimeout: string,
): Promise<void> {
  for (const name of names) {
    ctx.say(`deleting ${ctx.ref.namespace}/${name}, left unfinished by an interrupted run of this resource.`);
    await deleteAndWait(ctx, ctx.refTo(name), deleteTimeout);
  }
}

/** On a destroy (no successor), deletes the resource's history too, unless `retain`. */
async function dropHistoryOnDestroy(
  ctx: OperationContext,
  history: readonly VirtualMachineSnapshot[],
  options: { retain: boolean; deleteTimeout: string },
): Promise<void> {
  if (history.length === 0) return;
  const names = history.map((s) => s.metadata.name ?? "").join(", ");
  if (options.retain) {
    ctx.say(
      `retainHistoryOnDestroy: keeping ${history.length} history snapshot(s) in ` +
        `${ctx.ref.namespace}: ${names}. Delete them yourself when no longer needed.`,
    );
    return;
  }
  ctx.say(`deleting ${history.length} history snapshot(s): ${names}.`);
  for (const snapshot of history) {
    await deleteAndWait(ctx, ctx.refTo(snapshot.metadata.name ?? ""), options.deleteTimeout);
  }
}

/**
 * Why the resource's snapshot must stay although its resource is deleted, or `undefined`: a later create of
 * the same resource adopted it (another claim on it), or a committed replacement keeps it as history.
 */
function keptReason(state: SnapshotState, around: OwnedAround, successor: boolean): string | undefined {
  const { self } = around;
  if (!self) return undefined;
  const claim = claimOf(self);
  if (state.claim && claim && claim !== state.claim)
    return `was taken over by a later create of "${state.owner ?? ""}"`;
  if (isHistory(self) && successor) return `is kept as history of "${state.owner ?? ""}" by its replacement`;
  return undefined;
}

/**
 * Deletes the resource's snapshot (`ctx.ref`), whatever its phase, as its stored `state` describes it (a
 * skipped resource has none: nothing is deleted under its name); with the owner known, also the resource's
 * leftovers and, on a destroy (no committed successor), its history unless `retainHistoryOnDestroy`.
 */
export async function deleteSnapshot(ctx: OperationContext, state: SnapshotState): Promise<void> {
  const { namespace, name } = ctx.ref;
  const { owner } = state;
  const deleteTimeout = state.deleteTimeout ?? DEFAULT_DELETE_TIMEOUT;
  if (state.skipped) {
    ctx.say(`no snapshot to delete: the resource was skipped (its VM did not exist when it was created).`);
  }
  if (owner) {
    const around = await ownSnapshotsAround(ctx, owner);
    const successor = around.others.some((s) => !isHistory(s) && !isPending(s));
    const kept = keptReason(state, around, successor);
    if (kept) {
      ctx.say(`${namespace}/${name} ${kept}; not deleting it.`);
      return;
    }
    const leftovers = leftoversOf(around.others).map((s) => s.metadata.name ?? "");
    await deleteLeftovers(ctx, leftovers, deleteTimeout);
    if (!state.skipped) await deleteAndWait(ctx, ctx.ref, deleteTimeout);
    if (!successor && state.history > 0) {
      const history = around.others.filter(isHistory);
      await dropHistoryOnDestroy(ctx, history, { retain: state.retainHistoryOnDestroy, deleteTimeout });
    }
  } else if (!state.skipped) {
    await deleteAndWait(ctx, ctx.ref, deleteTimeout);
  }
  if (state.deletionPolicy === "Retain" && state.readyToUse) {
    ctx.say(
      `deletionPolicy Retain: the VirtualMachineSnapshotContent ${state.contentName} ` +
        "and its VolumeSnapshots stay in the cluster; delete them yourself when no longer needed.",
    );
  }
}
