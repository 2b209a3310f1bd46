/**
 * Stand-in for Kubernetes' garbage collector (kube-controller-manager, not on the ground): when an owner is
 * deleted, its dependents go (background propagation): a VM's VMI, ControllerRevisions and the PVCs a restore
 * gave it, a content's VolumeSnapshots, and whatever else names the owner's uid. An owner deleted in the
 * foreground (`propagationPolicy: Foreground`, how pulumi-kubernetes deletes by default) is let go once its
 * dependents are gone.
 */
import { CONTENT, Kube, RESTORE, SNAPSHOT, VMI, VOLUME_SNAPSHOT, type Obj } from "./kube";

type Owned = { metadata?: { name?: string; ownerReferences?: { uid: string }[] } };
const ownedBy = (uid: string) => (o: Owned) => (o.metadata?.ownerReferences ?? []).some((r) => r.uid === uid);

/** One dependent: what it is, and how to delete it (resolves whether a delete was sent). */
interface Dependent {
  what: string;
  remove(): Promise<boolean>;
}

/** Everything in `namespace` that names `uid` as its owner (deleting ones included). */
async function dependentsOf(kube: Kube, namespace: string, uid: string): Promise<Dependent[]> {
  const found: Dependent[] = [];
  for (const crd of [VMI, VOLUME_SNAPSHOT, CONTENT, SNAPSHOT, RESTORE]) {
    for (const o of (await kube.list(crd, namespace).catch(() => [] as Obj[])).filter(ownedBy(uid))) {
      const name = o.metadata.name ?? "";
      found.push({ what: `${crd.plural}/${name}`, remove: () => kube.delete(crd, namespace, name) });
    }
  }
  const revisions = await kube.apps.listNamespacedControllerRevision({ namespace });
  for (const r of revisions.items.filter(ownedBy(uid))) {
    const name = r.metadata?.name ?? "";
    found.push({
      what: `controllerrevisions/${name}`,
      remove: () =>
        kube.apps.deleteNamespacedControllerRevision({ namespace, name }).then(
          () => true,
          () => true,
        ),
    });
  }
  const pvcs = await kube.core.listNamespacedPersistentVolumeClaim({ namespace });
  for (const p of pvcs.items.filter(ownedBy(uid))) {
    const name = p.metadata?.name ?? "";
    found.push({
      what: `persistentvolumeclaims/${name}`,
      remove: () =>
        kube.core.deleteNamespacedPersistentVolumeClaim({ namespace, name }).then(
          () => true,
          () => true,
        ),
    });
  }
  return found;
}

/** Deletes everything in `namespace` owned by `uid`; returns how many objects it deleted. */
export async function collectDependents(kube: Kube, namespace: string, uid: string): Promise<number> {
  let deleted = 0;
  for (const dependent of await dependentsOf(kube, namespace, uid)) if (await dependent.remove()) deleted++;
  return deleted;
}

/** The finalizer the apiserver puts on an object deleted with `propagationPolicy: Foreground`. */
export const FOREGROUND_DELETION = "foregroundDeletion";

/** Whether an object is being deleted in the foreground and still waits for the garbage collector. */
export function deletingInForeground(o: Pick<Obj, "metadata">): boolean {
  return Boolean(o.metadata.deletionTimestamp) && (o.metadata.finalizers ?? []).includes(FOREGROUND_DELETION);
}

/** An owner as the foreground step sees it: read afresh, and its finalizers written back. */
export interface ForegroundOwner {
  read(): Promise<Obj | undefined>;
  /** Writes `finalizers` (optimistic concurrency through `live`'s resourceVersion). */
  setFinalizers(live: Obj, finalizers: string[]): Promise<unknown>;
}

/**
 * The garbage collector's part of a foreground deletion: deletes the owner's dependents and, once none is left
 * (gone, not only deleting), removes its `foregroundDeletion` finalizer so the apiserver lets it go.
 * @returns a requeue delay (ms) while dependents remain.
 */
export async function finishForegroundDeletion(
  kube: Kube,
  owner: ForegroundOwner,
): Promise<number | undefined> {
  const live = await owner.read();
  if (!live || !deletingInForeground(live)) return undefined;
  const { namespace = "", uid = "" } = live.metadata;
  await collectDependents(kube, namespace, uid);
  if ((await dependentsOf(kube, namespace, uid)).length > 0) return 200;
  const finalizers = (live.metadata.finalizers ?? []).filter((f) => f !== FOREGROUND_DELETION);
  await owner.setFinalizers(live, finalizers);
  return undefined;
}
