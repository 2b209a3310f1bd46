/** `delete`: delete the snapshot and wait until it is gone; 404 counts as done. */
import { formatDuration, parseDuration } from "../../shared/duration";
import type { ProviderDeps } from "../core/deps";
import { ProviderError } from "../core/errors";
import type { ProviderInputs } from "./inputs";
import type { SnapshotRef } from "../kube/cluster";
import { waitForDeletion } from "./wait";
import { isHistory, isOwnedBy } from "./ownership";
import { historyOwnerOf, numberProp, stringProp } from "../core/props";
import { dropHistoryOnDestroy } from "./history";
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
  const { gone, last } = await waitForDeletion({ ...deps, cluster: session.cluster, ref, boundMs, progress });
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
