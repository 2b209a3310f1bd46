/**
 * Stand-in for Kubernetes' garbage collector (kube-controller-manager, not on the ground): when an owner is
 * deleted, its dependents go (background propagation): a VM's VMI, ControllerRevisions and the PVCs a restore
 * gave it, a content's VolumeSnapshots, and whatever else names the owner's uid.
 */
import { CONTENT, Kube, RESTORE, SNAPSHOT, VMI, VOLUME_SNAPSHOT, type Obj } from "./kube";

type Owned = { metadata?: { name?: string; ownerReferences?: { uid: string }[] } };
const ownedBy = (uid: string) => (o: Owned) => (o.metadata?.ownerReferences ?? []).some((r) => r.uid === uid);

/** Deletes everything in `namespace` owned by `uid`; returns how many objects it deleted. */
export async function collectDependents(kube: Kube, namespace: string, uid: string): Promise<number> {
  let deleted = 0;
  for (const crd of [VMI, VOLUME_SNAPSHOT, CONTENT, SNAPSHOT, RESTORE]) {
    for (const o of (await kube.list(crd, namespace).catch(() => [] as Obj[])).filter(ownedBy(uid))) {
      if (await kube.delete(crd, namespace, o.metadata.name ?? "")) deleted++;
    }
  }
  const revisions = await kube.apps.listNamespacedControllerRevision({ namespace });
  for (const r of revisions.items.filter(ownedBy(uid))) {
    await kube.apps
      .deleteNamespacedControllerRevision({ namespace, name: r.metadata?.name ?? "" })
      .catch(() => undefined);
    deleted++;
  }
  const pvcs = await kube.core.listNamespacedPersistentVolumeClaim({ namespace });
  for (const p of pvcs.items.filter(ownedBy(uid))) {
    await kube.core
      .deleteNamespacedPersistentVolumeClaim({ namespace, name: p.metadata?.name ?? "" })
      .catch(() => undefined);
    deleted++;
  }
  return deleted;
}
