/**
 * KubeVirt's VirtualMachineRestore rules, pure (semantics §6; KubeVirt pkg/storage/snapshot/restore.go): the
 * condition reasons, restored PVC names and bodies, the restored VM, and the restore's status conditions.
 */
import { createHash } from "node:crypto";
import type { Obj } from "./kube";
import { setCondition, type Condition } from "./snapshot-status";
import { vmVolumes } from "./volumes";

/** The VMRestore finalizer. */
export const RESTORE_FINALIZER = "snapshot.kubevirt.io/vmrestore-protection";
/** Marks a VM (and each restored PVC) with the restore that produced it: `<restore name>-<restore UID>`. */
export const LAST_RESTORE_ANNOTATION = "restore.kubevirt.io/lastRestoreUID";
/** Names the restore on each restored PVC. */
export const RESTORE_NAME_ANNOTATION = "restore.kubevirt.io/name";
/** Set on a restored PVC (for a new VM) whose source PVC was owned by the source VM; ownership follows later. */
export const OWNED_BY_VM_ANNOTATION = "restore.kubevirt.io/owned-by-vm";
/** KubeVirt's `DefaultGracePeriod` for targetReadinessPolicy WaitGracePeriod. */
export const DEFAULT_GRACE_MS = 5 * 60_000;

/** KubeVirt's fixed reasons and messages (the grace period always reads 5m0s, as KubeVirt's constant does). */
export const RESTORE_REASONS = {
  initializing: "Initializing VirtualMachineRestore",
  creatingPvcs: "Creating new PVCs",
  waitingPvcs: "Waiting for new PVCs",
  updatingTarget: "Updating target spec",
  waitingTarget: "Waiting for target update",
  complete: "Operation complete",
  deleting: "VM restore is deleting",
  waitGracePeriod:
    "Waiting for target VM to be powered off. Please stop the restore target to proceed with restore, or the operation will fail after 5m0s",
  waitEventually:
    "Waiting for target VM to be powered off. Please stop the restore target to proceed with restore",
  stopTarget: "Automatically stopping restore target for restore operation",
  vmiExists: "Restore target VMI still exists, please stop the restore target to proceed with restore",
  gracePeriodExceeded:
    "Restore target failed to be ready within 5m0s. Please power off the target VM before attempting restore",
  targetNotReady: "Restore target VMI must be powered off before restore operation",
  existingTarget: "restore source and restore target are different but restore target already exists",
} as const;

/** One entry of `status.restores`. */
export interface VolumeRestore {
  volumeName: string;
  persistentVolumeClaim: string;
  volumeSnapshotName: string;
}

/** One entry of `content.spec.volumeBackups`. */
export interface VolumeBackup {
  volumeName: string;
  volumeSnapshotName?: string;
  persistentVolumeClaim: { metadata: Obj["metadata"]; spec?: Record<string, any> };
}

const ANNOTATIONS_NOT_COPIED = [
  "pv.kubernetes.io",
  "volume.beta.kubernetes.io",
  "cdi.kubevirt.io",
  "volume.kubernetes.io",
  "k8s.io/CloneRequest",
  "k8s.io/CloneOf",
];

/** `<restore name>-<restore UID>`, the value of {@link LAST_RESTORE_ANNOTATION}. */
export function restoreMark(restore: Obj): string {
  return `${restore.metadata.name ?? ""}-${restore.metadata.uid ?? ""}`;
}

/** Whether an object carries this restore's {@link LAST_RESTORE_ANNOTATION}. */
export function markedBy(
  obj: { metadata?: { annotations?: Record<string, string> } } | undefined,
  restore: Obj,
): boolean {
  return obj?.metadata?.annotations?.[LAST_RESTORE_ANNOTATION] === restoreMark(restore);
}

/** Whether the policy is InPlace (the original claim is deleted and recreated under its own name). */
export function inPlace(restore: Obj): boolean {
  return restore.spec?.volumeRestorePolicy === "InPlace";
}

/** The restored claim's name: an override, else by volumeRestorePolicy. */
export function restoredClaimName(restore: Obj, volumeName: string, claimName: string): string {
  const overrides = (restore.spec?.volumeRestoreOverrides ?? []) as {
    volumeName?: string;
    restoreName?: string;
  }[];
  const override = overrides.find((o) => o.volumeName === volumeName && o.restoreName)?.restoreName;
  if (override) return override;
  if (inPlace(restore)) return claimName;
  if (restore.spec?.volumeRestorePolicy === "PrefixTargetName")
    return `${(restore.spec?.target?.name as string | undefined) ?? ""}-${volumeName}`.slice(0, 63);
  return `restore-${restore.metadata.uid ?? ""}-${volumeName}`;
}

/** The restores a content calls for (memory-dump volumes are never restored), keeping existing entries. */
export function plannedRestores(restore: Obj, content: Obj): VolumeRestore[] {
  const memoryDumps = new Set(
    vmVolumes((content.spec?.source?.virtualMachine ?? { metadata: {} }) as Obj)
      .filter((v) => v.memoryDump)
      .map((v) => v.name),
  );
  const existing = (restore.status?.restores ?? []) as VolumeRestore[];
  return ((content.spec?.volumeBackups ?? []) as VolumeBackup[])
    .filter((b) => !memoryDumps.has(b.volumeName))
    .map(
      (b) =>
        existing.find((r) => r.volumeName === b.volumeName) ?? {
          volumeName: b.volumeName,
          persistentVolumeClaim: restoredClaimName(
            restore,
            b.volumeName,
            b.persistentVolumeClaim.metadata.name ?? "",
          ),
          volumeSnapshotName: b.volumeSnapshotName ?? "",
        },
    );
}

const UNITS: Record<string, number> = {
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
};

/** Bytes of a resource quantity ("1Gi", "500M", "1073741824"); NaN if it cannot be read. */
export function quantityBytes(quantity: string | undefined): number {
  const m = /^([0-9.]+)([A-Za-z]*)$/.exec(quantity ?? "");
  const unit = m ? UNITS[m[2] ?? ""] : undefined;
  return m && unit !== undefined ? Number(m[1]) * unit : NaN;
}

function filtered(annotations: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(annotations ?? {}).filter(([k]) => !ANNOTATIONS_NOT_COPIED.some((p) => k.startsWith(p))),
  );
}

/** The restored PVC (`CreateRestorePVCDefFromVMRestore`): the backup's PVC spec with the VolumeSnapshot as data source. */
export function restoredPvc(
  restore: Obj,
  backup: VolumeBackup,
  target: VolumeRestore,
  volumeSnapshot: Obj,
  sourceVm: Obj,
): Record<string, any> {
  const source = backup.persistentVolumeClaim;
  const requested = source.spec?.resources?.requests?.storage as string | undefined;
  const restoreSize = volumeSnapshot.status?.restoreSize as string | undefined;
  const storage =
    restoreSize && !(quantityBytes(requested) >= quantityBytes(restoreSize)) ? restoreSize : requested;
  const ref = {
    apiGroup: "snapshot.storage.k8s.io",
    kind: "VolumeSnapshot",
    name: target.volumeSnapshotName,
  };
  const override = ((restore.spec?.volumeRestoreOverrides ?? []) as Record<string, any>[]).find(
    (o) => o["volumeName"] === backup.volumeName,
  );
  return {
    metadata: {
      name: target.persistentVolumeClaim,
      labels: {
        ...(source.metadata.labels ?? {}),
        "restore.kubevirt.io/source-vm-name": sourceVm.metadata.name ?? "",
        "restore.kubevirt.io/source-vm-namespace": sourceVm.metadata.namespace ?? "",
        ...((override?.["labels"] as Record<string, string> | undefined) ?? {}),
      },
      annotations: {
        ...filtered(source.metadata.annotations),
        [RESTORE_NAME_ANNOTATION]: restore.metadata.name ?? "",
        [LAST_RESTORE_ANNOTATION]: restoreMark(restore),
        ...((override?.["annotations"] as Record<string, string> | undefined) ?? {}),
      },
    },
    spec: {
      accessModes: source.spec?.accessModes,
      resources: {
        ...(source.spec?.resources ?? {}),
        requests: { ...(source.spec?.resources?.requests ?? {}), storage },
      },
      storageClassName: source.spec?.storageClassName,
      volumeMode: source.spec?.volumeMode,
      dataSource: ref,
      dataSourceRef: ref,
    },
  };
}

/** A controller ownerReference to the VM (`Own`). */
export function ownerRefTo(vm: Obj): NonNullable<Obj["metadata"]["ownerReferences"]>[number] {
  return {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachine",
    name: vm.metadata.name ?? "",
    uid: vm.metadata.uid ?? "",
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** KubeVirt's legacy firmware UUID: UUID v5 (SHA-1) of the VM name in KubeVirt's fixed namespace. */
export function legacyFirmwareUuid(name: string): string {
  const namespace = Buffer.from("6a1a24a1406146078bf4a3963d0c5895", "hex");
  const bytes = createHash("sha1").update(namespace).update(name).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The snapshot's volumes pointed at the restored claims (DataVolumes become PVC volumes; memory dumps dropped). */
function restoredVolumes(snapshotVm: Obj, restores: VolumeRestore[]): Record<string, unknown>[] {
  return vmVolumes(snapshotVm).flatMap((volume) => {
    if (volume.memoryDump) return [];
    const restored = restores.find((r) => r.volumeName === volume.name);
    if (!restored || (!volume.persistentVolumeClaim && !volume.dataVolume)) return [volume];
    const { dataVolume: _dv, persistentVolumeClaim: pvc, ...rest } = volume;
    return [
      { ...rest, persistentVolumeClaim: { ...(pvc ?? {}), claimName: restored.persistentVolumeClaim } },
    ];
  });
}

/** The run state kept by a restore: an existing VM keeps its own; a new VM is created stopped. */
function runState(snapshotSpec: Record<string, any>, current: Obj | undefined): Record<string, any> {
  const { running, runStrategy: _r, ...rest } = snapshotSpec;
  if (!current)
    return running !== undefined ? { ...rest, running: false } : { ...rest, runStrategy: "Halted" };
  if (current.spec?.running !== undefined) return { ...rest, running: false };
  const strategy = (current.spec?.runStrategy as string | undefined) ?? "Halted";
  return { ...rest, runStrategy: strategy };
}

/** The restored VM (`generateRestoredVMSpec`): the snapshot's spec on the current VM, or a new VM. */
export function restoredVm(
  restore: Obj,
  snapshotVm: Obj,
  current: Obj | undefined,
  restores: VolumeRestore[],
): Obj {
  const spec = runState(structuredClone((snapshotVm.spec ?? {}) as Record<string, any>), current);
  const restoredNames = new Set(restores.map((r) => r.volumeName));
  const dataVolumes = new Set(
    vmVolumes(snapshotVm)
      .filter((v) => v.dataVolume && restoredNames.has(v.name))
      .map((v) => v.dataVolume?.name),
  );
  if (spec["dataVolumeTemplates"])
    spec["dataVolumeTemplates"] = (spec["dataVolumeTemplates"] as Obj[]).filter(
      (t) => !dataVolumes.has(t.metadata?.name),
    );
  spec["template"] = { ...(spec["template"] ?? {}), spec: { ...(spec["template"]?.spec ?? {}) } };
  spec["template"].spec.volumes = restoredVolumes(snapshotVm, restores);
  const metadata: Obj["metadata"] = current
    ? structuredClone(current.metadata)
    : {
        name: restore.spec?.target?.name as string,
        namespace: restore.metadata.namespace,
        labels: snapshotVm.metadata.labels,
        annotations: snapshotVm.metadata.annotations,
      };
  metadata.annotations = { ...(metadata.annotations ?? {}), [LAST_RESTORE_ANNOTATION]: restoreMark(restore) };
  if (snapshotVm.metadata.name === metadata.name) setFirmwareUuid(spec, metadata.name ?? "");
  return { apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", metadata, spec };
}

function setFirmwareUuid(spec: Record<string, any>, name: string): void {
  const vmiSpec = spec["template"].spec as Record<string, any>;
  const domain = (vmiSpec["domain"] ?? {}) as Record<string, any>;
  const firmware = (domain["firmware"] ?? {}) as Record<string, any>;
  if (!firmware["uuid"])
    vmiSpec["domain"] = { ...domain, firmware: { ...firmware, uuid: legacyFirmwareUuid(name) } };
}

const ORDER = ["Progressing", "Ready", "Failure"];

/** Sets Progressing (and Ready) to the given reason; with `failure`, Failure=True with it too. */
export function withConditions(
  status: Record<string, any>,
  progressing: "True" | "False",
  reason: string,
  now: string,
  options: { ready?: "True" | "False"; readyReason?: string; failure?: boolean } = {},
): Record<string, any> {
  let conditions = (status["conditions"] ?? []) as Condition[];
  conditions = setCondition(conditions, "Progressing", progressing, reason, now);
  conditions = setCondition(
    conditions,
    "Ready",
    options.ready ?? "False",
    options.readyReason ?? reason,
    now,
  );
  if (options.failure) conditions = setCondition(conditions, "Failure", "True", reason, now);
  return { ...status, conditions: conditions.sort((a, b) => ORDER.indexOf(a.type) - ORDER.indexOf(b.type)) };
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
  );
}

/** Deep equality of JSON values regardless of key order (the apiserver returns keys sorted). */
export function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

/** Whether the restore still progresses: neither complete nor failed. */
export function restoreProgressing(restore: Obj): boolean {
  const failed = ((restore.status?.conditions ?? []) as Condition[]).some((c) => c.type === "Failure");
  return restore.status?.complete !== true && !failed;
}
