/**
 * The VirtualMachineRestore reconcile (`updateVMRestore`, semantics §6, checklist item 56): status, owner
 * and finalizer, target readiness by policy, snapshot and content checks, the `restoreInProgress` lock,
 * restored PVCs, the restored VM, completion; and deletion. One step per pass, as KubeVirt does.
 */
import {
  CONTENT,
  isConflictOrGone,
  Kube,
  RESTORE,
  SNAPSHOT,
  VM,
  VMI,
  VOLUME_SNAPSHOT,
  type Obj,
} from "./kube";
import { applyPatches } from "./json-patch";
import {
  inPlace,
  markedBy,
  OWNED_BY_VM_ANNOTATION,
  ownerRefTo,
  plannedRestores,
  RESTORE_FINALIZER,
  RESTORE_REASONS as R,
  restoredPvc,
  restoredVm,
  restoreProgressing,
  sameJson,
  withConditions,
  type VolumeBackup,
  type VolumeRestore,
} from "./restore-plan";

/** Timing knobs: the requeue while waiting, and WaitGracePeriod's grace (KubeVirt: 5 min). */
export interface RestoreTiming {
  requeueMs: number;
  graceMs: number;
}

/** What one pass works on; `vm` is the restore target (undefined when it does not exist). */
interface Pass {
  kube: Kube;
  timing: RestoreTiming;
  restore: Obj;
  vm: Obj | undefined;
}

/** How a pass ends: the requeue delay, if any. A step returns undefined to let the next step run. */
interface End {
  requeue: number | undefined;
}

type Event = ["Normal" | "Warning", string, string];

const stamp = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
const ns = (p: Pass): string => p.restore.metadata.namespace ?? "";
const name = (p: Pass): string => p.restore.metadata.name ?? "";
const waiting = (p: Pass): End => ({ requeue: p.timing.requeueMs });

/** The apiserver's message of a failed call (e.g. an admission denial), else the error's first line. */
function apiMessage(e: unknown): string {
  const body = (e as { body?: unknown }).body;
  try {
    const parsed = (typeof body === "string" ? JSON.parse(body) : body) as { message?: string } | undefined;
    if (parsed?.message) return parsed.message;
  } catch {
    // not JSON: fall through
  }
  return (e instanceof Error ? e.message : String(e)).split("\n")[0] ?? "";
}

/** Writes the status if it changed; the event goes out with the change (KubeVirt's recorder folds repeats). */
async function writeStatus(p: Pass, status: Record<string, any>, event?: Event): Promise<void> {
  if (sameJson(status, p.restore.status)) return;
  p.restore = await p.kube.replaceStatus(RESTORE, { ...p.restore, status });
  if (event) await p.kube.event(p.restore, ...event);
}

/** `doUpdateError` / `doUpdateErrorWithFailure`: the message as Progressing and Ready reasons (and Failure). */
async function recordError(p: Pass, message: string, failure = false): Promise<End> {
  const status = withConditions(p.restore.status ?? {}, "False", message, stamp(), { failure });
  await writeStatus(
    p,
    status,
    failure
      ? ["Warning", "Operation failed", `VirtualMachineRestore failed ${message}`]
      : ["Warning", "VirtualMachineRestoreError", `VirtualMachineRestore encountered error ${message}`],
  );
  return failure ? { requeue: undefined } : waiting(p);
}

async function ensureOwnerAndFinalizer(p: Pass): Promise<void> {
  const meta = p.restore.metadata;
  const ownerReferences = !meta.ownerReferences?.length && p.vm ? [ownerRefTo(p.vm)] : meta.ownerReferences;
  const finalizers = meta.finalizers ?? [];
  if (ownerReferences === meta.ownerReferences && finalizers.includes(RESTORE_FINALIZER)) return;
  p.restore = await p.kube.patch(RESTORE, ns(p), name(p), {
    metadata: {
      resourceVersion: meta.resourceVersion,
      ownerReferences,
      finalizers: finalizers.includes(RESTORE_FINALIZER) ? finalizers : [...finalizers, RESTORE_FINALIZER],
    },
  });
}

/** `UpdateDoneRestore`: clears `vm.status.restoreInProgress` if this restore holds it. */
async function releaseTarget(p: Pass): Promise<void> {
  if (!p.vm || p.vm.status?.restoreInProgress !== name(p)) return;
  p.vm = await p.kube.patchStatus(VM, ns(p), p.vm.metadata.name ?? "", {
    metadata: { resourceVersion: p.vm.metadata.resourceVersion },
    status: { restoreInProgress: null },
  });
}

async function handleDeletion(p: Pass): Promise<End> {
  if (!(p.restore.metadata.finalizers ?? []).includes(RESTORE_FINALIZER)) return { requeue: undefined };
  await releaseTarget(p);
  const status = withConditions(p.restore.status ?? {}, "False", R.deleting, stamp());
  if (!sameJson(status, p.restore.status)) {
    await writeStatus(p, status);
    return waiting(p);
  }
  await p.kube.patch(RESTORE, ns(p), name(p), {
    metadata: {
      resourceVersion: p.restore.metadata.resourceVersion,
      finalizers: (p.restore.metadata.finalizers ?? []).filter((f) => f !== RESTORE_FINALIZER),
    },
  });
  return { requeue: undefined };
}

/** Target lookup, deletion, the end of progress, owner and finalizer: what comes before readiness. */
async function prepare(p: Pass): Promise<End | undefined> {
  const target = p.restore.spec?.target as { kind?: string; name?: string } | undefined;
  if (target?.kind !== "VirtualMachine")
    return recordError(p, `unknown source {Kind:${target?.kind ?? ""} Name:${target?.name ?? ""}}`);
  p.vm = await p.kube.get(VM, ns(p), target.name ?? "");
  if (p.restore.metadata.deletionTimestamp) return handleDeletion(p);
  if (!restoreProgressing(p.restore)) return { requeue: undefined };
  await ensureOwnerAndFinalizer(p);
  return undefined;
}

/** The virt-api `stop` subresource: Halted (or running=false); a Manual VM's VMI is deleted. */
async function stopVm(kube: Kube, vm: Obj): Promise<void> {
  const vmName = vm.metadata.name ?? "";
  const strategy = vm.spec?.runStrategy as string | undefined;
  if (strategy === "Manual") {
    await kube.delete(VMI, vm.metadata.namespace, vmName);
    return;
  }
  const spec =
    strategy === undefined && vm.spec?.running !== undefined ? { running: false } : { runStrategy: "Halted" };
  await kube.patch(VM, vm.metadata.namespace, vmName, {
    metadata: { resourceVersion: vm.metadata.resourceVersion },
    spec,
  });
}

async function waitForTarget(p: Pass, reason: string, eventMessage: string): Promise<End> {
  const status = withConditions(p.restore.status ?? {}, "False", reason, stamp());
  await writeStatus(p, status, ["Warning", "RestoreTargetNotReady", eventMessage]);
  return waiting(p);
}

async function stopTarget(p: Pass, vm: Obj): Promise<End> {
  try {
    await stopVm(p.kube, vm);
  } catch (e) {
    if (isConflictOrGone(e)) throw e;
    return recordError(p, apiMessage(e));
  }
  return waitForTarget(p, R.stopTarget, R.stopTarget);
}

/** `handleVMRestoreTargetNotReady`: what targetReadinessPolicy does while the target's VMI exists. */
async function targetNotReady(p: Pass, vm: Obj): Promise<End> {
  const policy = (p.restore.spec?.targetReadinessPolicy as string | undefined) ?? "WaitGracePeriod";
  switch (policy) {
    case "WaitEventually":
      return waitForTarget(p, R.waitEventually, R.vmiExists);
    case "StopTarget":
      return stopTarget(p, vm);
    case "WaitGracePeriod": {
      const created = Date.parse(p.restore.metadata.creationTimestamp ?? "");
      if (Date.now() > created + p.timing.graceMs) return recordError(p, R.gracePeriodExceeded, true);
      return waitForTarget(p, R.waitGracePeriod, R.vmiExists);
    }
    case "FailImmediate":
      return recordError(p, R.targetNotReady, true);
    default:
      throw new Error(`unknown targetReadinessPolicy: ${policy}`);
  }
}

/** The target is ready when it does not exist or has no VMI. */
async function readiness(p: Pass): Promise<End | undefined> {
  if (!p.vm) return undefined;
  const vmi = await p.kube.get(VMI, ns(p), p.vm.metadata.name ?? "");
  return vmi ? targetNotReady(p, p.vm) : undefined;
}

/** `getVMSnapshot`: the snapshot, or KubeVirt's error text. */
async function readySnapshot(p: Pass): Promise<Obj | string> {
  const key = `${ns(p)}/${(p.restore.spec?.virtualMachineSnapshotName as string | undefined) ?? ""}`;
  const snapshot = await p.kube.get(SNAPSHOT, ns(p), p.restore.spec?.virtualMachineSnapshotName ?? "");
  if (!snapshot) return `VMSnapshot ${key} does not exist`;
  if (snapshot.status?.phase === "Failed") return `VMSnapshot ${key} failed and is invalid to use`;
  if (snapshot.status?.readyToUse !== true) return `VMSnapshot ${key} not ready`;
  if (!snapshot.status?.virtualMachineSnapshotContentName) return `no snapshot content name in ${key}`;
  return snapshot;
}

/** `getSnapshotContent`: the ready content, or KubeVirt's error text. */
async function readyContent(p: Pass, snapshot: Obj): Promise<Obj | string> {
  const contentName = snapshot.status?.virtualMachineSnapshotContentName as string;
  const content = await p.kube.get(CONTENT, ns(p), contentName);
  if (!content) return `VMSnapshotContent ${ns(p)}/${contentName} does not exist`;
  if (content.status?.readyToUse !== true) return `VMSnapshotContent ${ns(p)}/${contentName} not ready`;
  return content;
}

/** `UpdateRestoreInProgress`: locks an existing, not yet restored target; waits while another restore holds it. */
async function lockTarget(p: Pass): Promise<End | undefined> {
  if (!p.vm || markedBy(p.vm, p.restore)) return undefined;
  const holder = p.vm.status?.restoreInProgress as string | undefined;
  // KubeVirt returns `vm restore <holder> in progress` as a plain error: retried, no status written.
  if (holder && holder !== name(p)) return waiting(p);
  if (!holder) {
    p.vm = await p.kube.patchStatus(VM, ns(p), p.vm.metadata.name ?? "", {
      metadata: { resourceVersion: p.vm.metadata.resourceVersion },
      status: { restoreInProgress: name(p) },
    });
  }
  return undefined;
}

function ownedBySourceVm(backup: VolumeBackup, sourceVm: Obj): boolean {
  return (backup.persistentVolumeClaim.metadata.ownerReferences ?? []).some(
    (o) =>
      o.kind === "VirtualMachine" && o.name === sourceVm.metadata.name && o.uid === sourceVm.metadata.uid,
  );
}

/** `createRestorePVC`: undefined when created, else KubeVirt's error text. */
async function createPvc(p: Pass, content: Obj, planned: VolumeRestore): Promise<string | undefined> {
  const backups = (content.spec?.volumeBackups ?? []) as VolumeBackup[];
  const backup = backups.find((b) => b.volumeName === planned.volumeName);
  if (!backup) return `volume backup for volume ${planned.volumeName} not found`;
  if (!backup.volumeSnapshotName) return "missing VolumeSnapshot name";
  const vs = await p.kube.get(VOLUME_SNAPSHOT, ns(p), backup.volumeSnapshotName);
  if (!vs) return `missing volumeSnapshot ${backup.volumeSnapshotName}`;
  const sourceVm = (content.spec?.source?.virtualMachine ?? { metadata: {} }) as Obj;
  const body = restoredPvc(p.restore, backup, planned, vs, sourceVm);
  if (p.restore.spec?.volumeOwnershipPolicy !== "None") {
    if (p.vm) body["metadata"].ownerReferences = [ownerRefTo(p.vm)];
    else if (ownedBySourceVm(backup, sourceVm))
      body["metadata"].annotations[OWNED_BY_VM_ANNOTATION] = name(p);
  }
  try {
    await p.kube.core.createNamespacedPersistentVolumeClaim({ namespace: ns(p), body });
  } catch (e) {
    if ((e as { code?: number }).code !== 409) return apiMessage(e);
  }
  return undefined;
}

/** Whether a Pending PVC is worth waiting for: yes unless its StorageClass binds on first consumer. */
async function pendingBlocks(p: Pass, storageClassName: string | undefined): Promise<boolean | string> {
  if (!storageClassName) return true;
  const sc = await p.kube.storage.readStorageClass({ name: storageClassName }).catch(() => undefined);
  if (!sc) return `StorageClass ${storageClassName} does not exist`;
  return (sc.volumeBindingMode ?? "Immediate") === "Immediate";
}

/** A planned volume: "busy" while it is being made, "ok" once usable, or an error text. */
type VolumeState = "busy" | "ok" | { error: string };

/** The state of one planned volume, creating (InPlace: first deleting) its PVC as needed. */
async function volumeState(p: Pass, content: Obj, planned: VolumeRestore): Promise<VolumeState> {
  const claim = planned.persistentVolumeClaim;
  const pvc = await p.kube.core
    .readNamespacedPersistentVolumeClaim({ name: claim, namespace: ns(p) })
    .catch(() => undefined);
  if (!pvc) {
    const error = await createPvc(p, content, planned);
    return error === undefined ? "busy" : { error };
  }
  if (inPlace(p.restore) && !markedBy(pvc, p.restore)) {
    await p.kube.core
      .deleteNamespacedPersistentVolumeClaim({ name: claim, namespace: ns(p) })
      .catch(() => undefined);
    return "busy";
  }
  const phase = pvc.status?.phase ?? "Pending";
  if (phase === "Pending") {
    const blocks = await pendingBlocks(p, pvc.spec?.storageClassName);
    return typeof blocks === "string" ? { error: blocks } : blocks ? "busy" : "ok";
  }
  return phase === "Bound" ? "ok" : { error: `PVC ${ns(p)}/${claim} in status "${phase}"` };
}

/** `reconcileVolumeRestores`: plan `status.restores`, then create (InPlace: replace) and wait for the PVCs. */
async function restoreVolumes(p: Pass, content: Obj): Promise<End | undefined> {
  const planned = plannedRestores(p.restore, content);
  const creating = (status: Record<string, any>) =>
    withConditions(status, "True", R.creatingPvcs, stamp(), { readyReason: R.waitingPvcs });
  if (!sameJson(planned, p.restore.status?.restores ?? [])) {
    await writeStatus(p, creating({ ...(p.restore.status ?? {}), restores: planned }));
    return waiting(p);
  }
  let busy = false;
  for (const one of planned) {
    const state = await volumeState(p, content, one);
    if (typeof state === "object") return recordError(p, state.error);
    busy ||= state === "busy";
  }
  if (!busy) return undefined;
  await writeStatus(p, creating(p.restore.status ?? {}));
  return waiting(p);
}

/** `updateRestorePVCOwnership`: a new VM takes over the PVCs marked as owned by the source VM. */
async function claimPvcs(p: Pass, vm: Obj): Promise<void> {
  if (p.restore.spec?.volumeOwnershipPolicy === "None") return;
  for (const volume of (vm.spec?.template?.spec?.volumes ?? []) as {
    persistentVolumeClaim?: { claimName: string };
  }[]) {
    const claim = volume.persistentVolumeClaim?.claimName;
    if (!claim) continue;
    const pvc = await p.kube.core.readNamespacedPersistentVolumeClaim({ name: claim, namespace: ns(p) });
    const annotations = { ...(pvc.metadata?.annotations ?? {}) };
    if (pvc.metadata?.ownerReferences?.length || annotations[OWNED_BY_VM_ANNOTATION] !== name(p)) continue;
    delete annotations[OWNED_BY_VM_ANNOTATION];
    await p.kube.core.replaceNamespacedPersistentVolumeClaim({
      name: claim,
      namespace: ns(p),
      body: { ...pvc, metadata: { ...pvc.metadata, annotations, ownerReferences: [ownerRefTo(vm)] } },
    });
  }
}

/** `Reconcile` + `reconcileSpec`: writes the restored VM (update, or create with `patches`), once. */
async function restoreTarget(p: Pass, content: Obj): Promise<End | undefined> {
  if (p.vm && markedBy(p.vm, p.restore)) return undefined;
  const snapshotVm = content.spec?.source?.virtualMachine as Obj | undefined;
  if (!snapshotVm) return recordError(p, "unexpected snapshot source");
  const restores = (p.restore.status?.restores ?? []) as VolumeRestore[];
  let vm = restoredVm(p.restore, snapshotVm, p.vm, restores);
  try {
    if (p.vm) p.vm = await p.kube.replace(VM, vm);
    else {
      try {
        vm = applyPatches(vm, (p.restore.spec?.patches ?? []) as string[]);
      } catch (e) {
        return await recordError(p, `error patching VM ${vm.metadata.name ?? ""}: ${(e as Error).message}`);
      }
      p.vm = await p.kube.create(VM, vm);
    }
  } catch (e) {
    if (isConflictOrGone(e)) throw e;
    return recordError(p, apiMessage(e));
  }
  await claimPvcs(p, p.vm);
  await writeStatus(
    p,
    withConditions(p.restore.status ?? {}, "True", R.updatingTarget, stamp(), {
      readyReason: R.waitingTarget,
    }),
  );
  return waiting(p);
}

/** `UpdateDoneRestore`, the completion event and `complete: true`. */
async function finish(p: Pass): Promise<End> {
  if (!p.vm) return recordError(p, "At this point target should exist");
  await releaseTarget(p);
  const now = stamp();
  const status = withConditions(
    { ...(p.restore.status ?? {}), complete: true, restoreTime: now },
    "False",
    R.complete,
    now,
    {
      ready: "True",
    },
  );
  await writeStatus(p, status, [
    "Normal",
    "VirtualMachineRestoreComplete",
    `Successfully completed VirtualMachineRestore ${name(p)}`,
  ]);
  return { requeue: undefined };
}

/** From the snapshot check to completion. */
async function restoreFromSnapshot(p: Pass): Promise<End> {
  const snapshot = await readySnapshot(p);
  if (typeof snapshot === "string") return recordError(p, snapshot);
  const sourceUid = snapshot.status?.sourceUID as string | undefined;
  if (p.vm && !markedBy(p.vm, p.restore) && sourceUid && sourceUid !== p.vm.metadata.uid)
    return recordError(p, R.existingTarget);
  const locked = await lockTarget(p);
  if (locked) return locked;
  const content = await readyContent(p, snapshot);
  if (typeof content === "string") return recordError(p, content);
  return (await restoreVolumes(p, content)) ?? (await restoreTarget(p, content)) ?? finish(p);
}

/** One reconcile of a restore; returns the requeue delay, if any. */
export async function reconcileRestore(
  kube: Kube,
  key: [string, string],
  timing: RestoreTiming,
): Promise<number | undefined> {
  const found = await kube.get(RESTORE, key[0], key[1]);
  if (!found) return undefined;
  const p: Pass = { kube, timing, restore: found, vm: undefined };
  if (!found.status) {
    await writeStatus(p, withConditions({ complete: false }, "True", R.initializing, stamp()));
    return timing.requeueMs;
  }
  const end = (await prepare(p)) ?? (await readiness(p)) ?? (await restoreFromSnapshot(p));
  return end.requeue;
}

/** The garbage collector's part for a deleted VM: its restores and the restored PVCs it owned. */
export async function collectVmDependents(kube: Kube, namespace: string, vmUid: string): Promise<void> {
  const owned = (o: Obj["metadata"] | undefined) => (o?.ownerReferences ?? []).some((r) => r.uid === vmUid);
  for (const r of await kube.list(RESTORE, namespace))
    if (owned(r.metadata)) await kube.delete(RESTORE, namespace, r.metadata.name ?? "");
  const pvcs = await kube.core.listNamespacedPersistentVolumeClaim({ namespace });
  for (const pvc of pvcs.items)
    if (owned(pvc.metadata as Obj["metadata"]))
      await kube.core
        .deleteNamespacedPersistentVolumeClaim({ name: pvc.metadata?.name ?? "", namespace })
        .catch(() => undefined);
}
