/**
 * The VirtualMachineSnapshot reconcile (`updateVMSnapshot`, semantics §3.3): finalizer, lock, content,
 * unlock, content deletion on deadline/deletion, status, finalizer removal, requeue at the deadline.
 */
import { CONTENT, Kube, SNAPSHOT, SNAPSHOT_VERSION, VM, VMI, type Obj } from "./kube";
import {
  computeSnapshotStatus,
  deadlineExceeded,
  timeUntilDeadline,
  type SourceState,
} from "./snapshot-status";
import { isLockedBy, lockSource, unlockSource, vmCopy } from "./source";
import { claimVolumes } from "./volumes";
import { resolveForPvc } from "./storage";

/** The VMSnapshot finalizer. */
export const SNAPSHOT_FINALIZER = "snapshot.kubevirt.io/vmsnapshot-protection";
/** The content finalizer. */
export const CONTENT_FINALIZER = "snapshot.kubevirt.io/vmsnapshotcontent-protection";

/** Timing knobs (KubeVirt requeues after 5 s; the simulator may go faster, see README). */
export interface Timing {
  requeueMs: number;
}

/** `vmsnapshot-content-<snapshot UID>`. */
export function contentName(snapshot: Obj): string {
  return `vmsnapshot-content-${snapshot.metadata.uid ?? ""}`;
}

/** `vmsnapshot-<snapshot UID>-volume-<volume>`. */
export function volumeSnapshotName(snapshotUid: string, volumeName: string): string {
  return `vmsnapshot-${snapshotUid}-volume-${volumeName}`;
}

function finished(snapshot: Obj): boolean {
  return snapshot.status?.phase === "Succeeded" || snapshot.status?.phase === "Failed";
}

async function createContent(kube: Kube, snapshot: Obj, vm: Obj, vmi: Obj | undefined): Promise<Obj> {
  const ns = vm.metadata.namespace ?? "";
  const uid = snapshot.metadata.uid ?? "";
  const backups = [];
  for (const claim of claimVolumes(vm)) {
    const pvc = await kube.core
      .readNamespacedPersistentVolumeClaim({ name: claim.claimName, namespace: ns })
      .catch(() => undefined);
    if (!pvc || pvc.status?.phase !== "Bound" || !pvc.spec?.storageClassName) continue;
    const resolved = await resolveForPvc(kube, pvc.spec.storageClassName);
    if (resolved.kind === "error") throw new Error(resolved.message);
    if (resolved.kind === "none") continue;
    const { managedFields: _m, ...pvcMeta } = pvc.metadata ?? {};
    backups.push({
      volumeName: claim.volumeName,
      persistentVolumeClaim: { metadata: pvcMeta, spec: pvc.spec },
      volumeSnapshotName: volumeSnapshotName(uid, claim.volumeName),
    });
  }
  const body: Obj = {
    apiVersion: `snapshot.kubevirt.io/${SNAPSHOT_VERSION}`,
    kind: "VirtualMachineSnapshotContent",
    metadata: { name: contentName(snapshot), namespace: ns, finalizers: [CONTENT_FINALIZER] },
    spec: {
      virtualMachineSnapshotName: snapshot.metadata.name,
      source: { virtualMachine: vmCopy(vm, vmi !== undefined) },
      volumeBackups: backups,
    },
  };
  const created = await kube.create(CONTENT, body).catch(async (e: unknown) => {
    if ((e as { code?: number }).code === 409)
      return (await kube.get(CONTENT, ns, contentName(snapshot))) as Obj;
    throw e;
  });
  await kube.event(
    snapshot,
    "Normal",
    "SuccessfulVirtualMachineSnapshotContentCreate",
    `Successfully created VirtualMachineSnapshotContent ${contentName(snapshot)}`,
  );
  return created;
}

/** One reconcile of a snapshot; returns the requeue delay, if any. */
export async function reconcileSnapshot(
  kube: Kube,
  key: [string, string],
  timing: Timing,
): Promise<number | undefined> {
  const [ns, name] = key;
  let snapshot = await kube.get(SNAPSHOT, ns, name);
  if (!snapshot) return undefined;
  const now = Date.now();
  const exceeded = deadlineExceeded(snapshot, now);
  const terminating = Boolean(snapshot.metadata.deletionTimestamp) || exceeded;
  const sourceName =
    snapshot.spec?.source?.kind === "VirtualMachine" ? (snapshot.spec.source.name as string) : undefined;
  let vm = sourceName ? await kube.get(VM, ns, sourceName) : undefined;
  const vmi = vm ? await kube.get(VMI, ns, vm.metadata.name ?? "") : undefined;
  let content = await kube.get(CONTENT, ns, contentName(snapshot));
  let requeue: number | undefined;

  // 1. finalizer
  if (!terminating && !(snapshot.metadata.finalizers ?? []).includes(SNAPSHOT_FINALIZER)) {
    snapshot = await kube.patch(SNAPSHOT, ns, name, {
      metadata: {
        resourceVersion: snapshot.metadata.resourceVersion,
        finalizers: [...(snapshot.metadata.finalizers ?? []), SNAPSHOT_FINALIZER],
      },
    });
  }
  // 2. lock / content / unlock (never on the first pass)
  let lockMessage: string | undefined;
  let mayRemoveFinalizer = !vm;
  if (snapshot.status && vm) {
    if (!finished(snapshot) && !terminating) {
      if (!isLockedBy(vm, name)) {
        lockMessage = await lockSource(kube, vm, vmi, name);
        vm = (await kube.get(VM, ns, vm.metadata.name ?? "")) ?? vm;
        requeue = timing.requeueMs;
      }
      if (isLockedBy(vm, name) && !content) content = await createContent(kube, snapshot, vm, vmi);
    } else {
      const retained =
        content !== undefined &&
        content.status?.readyToUse === true &&
        snapshot.spec?.deletionPolicy !== undefined &&
        snapshot.spec.deletionPolicy !== "Delete";
      if (finished(snapshot) || (terminating && (!content || retained))) {
        await unlockSource(kube, vm, name);
        vm = (await kube.get(VM, ns, vm.metadata.name ?? "")) ?? vm;
      }
      mayRemoveFinalizer = vm.status?.snapshotInProgress !== name;
    }
  }
  // 3. content deletion when terminating (Retain protects only ready content)
  if (terminating && content && !content.metadata.deletionTimestamp) {
    const policy = snapshot.spec?.deletionPolicy as string | undefined;
    if (policy === undefined || policy === "Delete" || content.status?.readyToUse !== true)
      await kube.delete(CONTENT, ns, content.metadata.name ?? "");
  }
  // 4. status
  const source: SourceState | undefined = vm
    ? { vm, vmi, locked: isLockedBy(vm, name), lockMessage }
    : undefined;
  const status = computeSnapshotStatus(snapshot, source, content, now);
  if (JSON.stringify(status) !== JSON.stringify(snapshot.status)) {
    snapshot = await kube.replaceStatus(SNAPSHOT, { ...snapshot, status });
  }
  // 5. finalizer removal
  if (
    snapshot.metadata.deletionTimestamp &&
    mayRemoveFinalizer &&
    (snapshot.metadata.finalizers ?? []).includes(SNAPSHOT_FINALIZER)
  ) {
    await kube.patch(SNAPSHOT, ns, name, {
      metadata: {
        resourceVersion: snapshot.metadata.resourceVersion,
        finalizers: (snapshot.metadata.finalizers ?? []).filter((f) => f !== SNAPSHOT_FINALIZER),
      },
    });
    return undefined;
  }
  // 6. requeue at the deadline (or sooner after a lock attempt / while deleting)
  const untilDeadline = finished(snapshot) ? undefined : timeUntilDeadline(snapshot, Date.now());
  if (snapshot.metadata.deletionTimestamp) requeue = timing.requeueMs;
  return [requeue, untilDeadline === undefined ? undefined : untilDeadline + 1]
    .filter((v): v is number => v !== undefined)
    .sort((a, b) => a - b)[0];
}
