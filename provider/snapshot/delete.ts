/**
 * `delete`: delete the snapshot and wait until it is gone (404 counts as done); on a destroy the resource's
 * history goes too, unless `retainHistoryOnDestroy`. Create and the history pruning delete through
 * {@link deleteAndWait} as well.
 */
import { formatDuration, parseDuration } from "../../shared/duration";
import type { ProviderDeps } from "../core/deps";
import { ProviderError } from "../core/errors";
import type { ProviderInputs } from "./inputs";
import type { SnapshotRef } from "../kube/cluster";
import type { VirtualMachineSnapshot } from "../kube/types";
import { observe, untilGone } from "../core/observe";
import { snapshotStream } from "../kube/streams";
import { isHistory, isOwnedBy } from "./ownership";
import { historyOwnerOf, numberProp, stringProp } from "../core/props";
import { ownSnapshots, type HistoryOwner } from "./owned-snapshots";
import { openStoredSession, reporterFor, type Session } from "../core/session";

/** Deletes a snapshot and waits until it is gone (finalizers released), within `deleteTimeout`. */
export async function deleteAndWait(
  deps: ProviderDeps,
  session: Session,
  inputs: Pick<ProviderInputs, "resourceName" | "deleteTimeout">,
  ref: SnapshotRef,
): Promise<void> {
  if (!(await session.cluster.deleteSnapshot(ref))) return;
  const boundMs = parseDuration(inputs.deleteTimeout) ?? 300_000;
  const progress = reporterFor(deps, inputs.resourceName, ref, "deleting");
  const stream = snapshotStream(session.cluster, ref);
  const { value: gone, last } = await observe<true, VirtualMachineSnapshot>({
    ...deps,
    stream,
    decide: untilGone,
    boundMs,
    progress,
  });
  if (gone) return;
  throw new ProviderError(
    `[${inputs.resourceName}] VirtualMachineSnapshot ${ref.namespace}/${ref.name} was still there ` +
      `${formatDuration(boundMs)} after its deletion (phase ${last?.status?.phase ?? "?"}, finalizers ` +
      `${JSON.stringify(last?.metadata.finalizers ?? [])}). KubeVirt removes its finalizer once the content is gone ` +
      `and the VM unlocked. Fix: check the KubeVirt controller, the VM's status.snapshotInProgress and the ` +
      `content's finalizers (kubectl get vmsnapshotcontent -n ${ref.namespace}), then run the operation again.`,
  );
}

/** Whether the snapshot was taken over as history by this resource's replacement (so it must stay). */
async function keptByReplacement(session: Session, owner: string, ref: SnapshotRef): Promise<boolean> {
  const live = await session.cluster.getSnapshot(ref);
  return live !== undefined && isOwnedBy(live, owner) && isHistory(live);
}

/**
 * After the resource's own snapshot was deleted: if no other current snapshot of this owner exists (a
 * destroy, not a replacement), delete its history too, unless `retain`.
 */
async function dropHistoryOnDestroy(
  deps: ProviderDeps,
  session: Session,
  owner: HistoryOwner,
  current: string,
  retain: boolean,
): Promise<void> {
  const own = await ownSnapshots(session, owner, current);
  if (own.some((s) => !isHistory(s))) return;
  const history = own.filter(isHistory);
  if (history.length === 0) return;
  const names = history.map((s) => s.metadata.name ?? "").join(", ");
  if (retain) {
    deps.log.info(
      `[${owner.resourceName}] retainHistoryOnDestroy: keeping ${history.length} history snapshot(s) in ` +
        `${owner.namespace}: ${names}. Delete them yourself when no longer needed.`,
    );
    return;
  }
  deps.log.info(`[${owner.resourceName}] deleting ${history.length} history snapshot(s): ${names}.`);
  for (const snapshot of history) {
    const name = snapshot.metadata.name ?? "";
    await deleteAndWait(deps, session, owner, { version: session.version, namespace: owner.namespace, name });
  }
}

/** Deletes the snapshot named by `id` (`<namespace>/<name>`), whatever its phase. */
export async function deleteSnapshot(
  deps: ProviderDeps,
  id: string,
  props: Record<string, unknown>,
): Promise<void> {
  const { session, namespace, name } = await openStoredSession(deps, id, props);
  const resourceName = stringProp(props, "resourceName", name);
  const deleteTimeout = stringProp(props, "deleteTimeout", "5m");
  const ref = { version: session.version, namespace, name };
  const owner = historyOwnerOf(props, namespace, name);
  if (owner && (await keptByReplacement(session, owner.owner, ref))) {
    deps.log.info(
      `[${resourceName}] ${namespace}/${name} is kept as history of "${owner.owner}" by its replacement; not deleting it.`,
    );
    return;
  }
  await deleteAndWait(deps, session, { resourceName, deleteTimeout }, ref);
  if (owner && numberProp(props, "history") > 0) {
    await dropHistoryOnDestroy(deps, session, owner, name, props["retainHistoryOnDestroy"] === true);
  }
  if (props["deletionPolicy"] === "Retain" && props["readyToUse"] === true) {
    deps.log.info(
      `[${resourceName}] deletionPolicy Retain: the VirtualMachineSnapshotContent ${stringProp(props, "contentName")} ` +
        "and its VolumeSnapshots stay in the cluster; delete them yourself when no longer needed.",
    );
  }
}
