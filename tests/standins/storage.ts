/**
 * Storage stand-ins on a bare apiserver (semantics §7): a PVC binder, StorageClass → VolumeSnapshotClass
 * resolution as KubeVirt does it, a CSI snapshotter that gives VolumeSnapshots a creationTime and later
 * readyToUse (or an injected error), and explicit deletion of a content's VolumeSnapshots (no GC here).
 */
import { isConflictOrGone, Kube, VM, VOLUME_SNAPSHOT, VOLUME_SNAPSHOT_CLASS, type Obj } from "./kube";
import { pvcStaysUnbound, scenarioOf } from "./scenario";
import { resolveSnapshotClass, type ClassResolution } from "./volumes";

/** Resolves a StorageClass name to a VolumeSnapshotClass (none when the CSI CRDs are absent). */
export async function resolveForPvc(kube: Kube, storageClassName: string): Promise<ClassResolution> {
  const sc = await kube.storage.readStorageClass({ name: storageClassName }).catch(() => undefined);
  const classes = await kube.list(VOLUME_SNAPSHOT_CLASS).catch(() => [] as Obj[]);
  return resolveSnapshotClass(
    sc ? { metadata: { name: sc.metadata?.name ?? "" }, provisioner: sc.provisioner } : undefined,
    classes,
  );
}

/** Binds a Pending PVC (status.phase Bound) unless its scenario keeps it unbound. */
export async function bindPvc(kube: Kube, namespace: string, name: string): Promise<void> {
  const pvc = await kube.core.readNamespacedPersistentVolumeClaim({ name, namespace }).catch(() => undefined);
  if (!pvc || pvc.status?.phase === "Bound" || pvcStaysUnbound(pvc.metadata?.annotations)) return;
  const capacity = pvc.spec?.resources?.requests?.["storage"] ?? "1Gi";
  await kube.core.replaceNamespacedPersistentVolumeClaimStatus({
    name,
    namespace,
    body: {
      ...pvc,
      status: {
        phase: "Bound",
        accessModes: pvc.spec?.accessModes ?? ["ReadWriteOnce"],
        capacity: { storage: capacity },
      },
    },
  });
}

/** The finalizer kube-apiserver's StorageObjectInUseProtection admission puts on every PVC. */
export const PVC_PROTECTION = "kubernetes.io/pvc-protection";

/** The pvc-protection controller's job: lets a deleted PVC go once no running or pending pod mounts it. */
export async function releaseDeletedPvc(kube: Kube, namespace: string, name: string): Promise<void> {
  const pvc = await kube.core.readNamespacedPersistentVolumeClaim({ name, namespace }).catch(() => undefined);
  const finalizers = pvc?.metadata?.finalizers ?? [];
  if (!pvc?.metadata?.deletionTimestamp || !finalizers.includes(PVC_PROTECTION)) return;
  const pods = await kube.core.listNamespacedPod({ namespace });
  const inUse = pods.items.some(
    (p) =>
      p.status?.phase !== "Succeeded" &&
      p.status?.phase !== "Failed" &&
      (p.spec?.volumes ?? []).some((v) => v.persistentVolumeClaim?.claimName === name),
  );
  if (inUse) return;
  await kube.core.replaceNamespacedPersistentVolumeClaim({
    name,
    namespace,
    body: {
      ...pvc,
      metadata: { ...pvc.metadata, finalizers: finalizers.filter((f) => f !== PVC_PROTECTION) },
    },
  });
}

const timers = new Map<string, NodeJS.Timeout>();

/** Drives one VolumeSnapshot like a CSI driver: creationTime after a delay, then readyToUse; or an error. */
export async function driveVolumeSnapshot(kube: Kube, namespace: string, name: string): Promise<void> {
  const vs = await kube.get(VOLUME_SNAPSHOT, namespace, name);
  if (!vs || vs.metadata.deletionTimestamp || vs.status?.readyToUse === true) return;
  const vmName = vs.metadata.labels?.["snapshot.kubevirt.io/source-vm-name"];
  const vm = vmName ? await kube.get(VM, namespace, vmName) : undefined;
  const scenario = scenarioOf(vm?.metadata.annotations);
  const key = `${namespace}/${name}`;
  if (timers.has(key)) return;
  const later = (ms: number, status: Record<string, unknown>): void => {
    timers.set(
      key,
      setTimeout(() => {
        timers.delete(key);
        kube
          .patchStatus(VOLUME_SNAPSHOT, namespace, name, { status })
          .then(() => driveVolumeSnapshot(kube, namespace, name))
          .catch((e: unknown) => {
            // The apiserver may be restarting: try again, as a CSI sidecar would.
            if (!isConflictOrGone(e))
              setTimeout(() => void driveVolumeSnapshot(kube, namespace, name).catch(() => undefined), 500);
          });
      }, ms),
    );
  };
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
  if (scenario.volumeSnapshotError) {
    if (!vs.status?.error)
      later(scenario.volumeSnapshotDelayMs, {
        readyToUse: false,
        error: { time: now, message: scenario.volumeSnapshotError },
      });
    return;
  }
  if (!vs.status?.creationTime) {
    later(scenario.volumeSnapshotDelayMs, {
      creationTime: now,
      readyToUse: false,
      boundVolumeSnapshotContentName: `snapcontent-${vs.metadata.uid ?? ""}`,
      restoreSize: "1Gi",
    });
  } else {
    later(scenario.readyDelayMs, { readyToUse: true });
  }
}

/** Deletes the VolumeSnapshots owned by a content that is gone (the garbage collector's job in a real cluster). */
export async function collectOwnedVolumeSnapshots(
  kube: Kube,
  namespace: string,
  contentUid: string,
): Promise<number> {
  const owned = (await kube.list(VOLUME_SNAPSHOT, namespace)).filter((vs) =>
    (vs.metadata.ownerReferences ?? []).some((o) => o.uid === contentUid),
  );
  for (const vs of owned) await kube.delete(VOLUME_SNAPSHOT, namespace, vs.metadata.name ?? "");
  return owned.length;
}
