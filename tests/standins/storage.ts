/**
 * Stand-ins for the storage actors KubeVirt does not own and a bare apiserver lacks: a PVC binder, the
 * pvc-protection controller, and a CSI snapshotter that gives VolumeSnapshots a creationTime and later
 * readyToUse (or an injected error), on the timings of the VM's scenario (or held before readyToUse while the
 * VM says `hold-ready`).
 */
import { isConflictOrGone, Kube, VM, VOLUME_SNAPSHOT } from "./kube";
import { pvcStaysUnbound, scenarioOf } from "./scenario";

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
/** VolumeSnapshots held by their VM's `hold-ready` scenario, by the VM's `<namespace>/<name>`. */
const held = new Map<string, Set<string>>();

/**
 * The VolumeSnapshots (`<namespace>/<name>`) held back by a VM's `hold-ready` scenario, forgotten here: the
 * caller drives them again when the VM changes, and each is held again if the annotation is still there.
 */
export function takeHeld(vmKey: string): string[] {
  const keys = [...(held.get(vmKey) ?? [])];
  held.delete(vmKey);
  return keys;
}

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
  } else if (scenario.holdReady) {
    const vmKey = `${namespace}/${vmName ?? ""}`;
    held.set(vmKey, (held.get(vmKey) ?? new Set<string>()).add(key));
  } else {
    later(scenario.readyDelayMs, { readyToUse: true });
  }
}
