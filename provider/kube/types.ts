/**
 * The parts of the Kubernetes and KubeVirt objects this provider reads and writes. Field names follow
 * KubeVirt's API types (snapshot.kubevirt.io v1beta1, kubevirt.io v1) exactly.
 */

/** Kubernetes object metadata (the fields used here). */
export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
}

/** A status condition as KubeVirt writes it (type, status, reason; message usually empty). */
export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

/** One entry of `vm.status.volumeSnapshotStatuses`. */
export interface VolumeSnapshotStatus {
  name: string;
  enabled: boolean;
  reason?: string;
}

/** A KubeVirt `VirtualMachine` (kubevirt.io/v1). */
export interface VirtualMachine {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: {
    running?: boolean;
    runStrategy?: string;
    template?: { spec?: { volumes?: { name: string }[] } };
  };
  status?: {
    printableStatus?: string;
    snapshotInProgress?: string;
    restoreInProgress?: string;
    volumeSnapshotStatuses?: VolumeSnapshotStatus[];
    conditions?: Condition[];
  };
}

/** A KubeVirt `VirtualMachineInstance` (kubevirt.io/v1): exists while the VM runs. */
export interface VirtualMachineInstance {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  status?: { phase?: string; conditions?: Condition[]; fsFreezeStatus?: string };
}

/** The phases KubeVirt writes to `status.phase` of a snapshot. */
export type SnapshotPhase = "" | "InProgress" | "Succeeded" | "Failed" | "Deleting" | "Unknown";

/** `status.sourceIndications[]` of a snapshot. */
export interface SourceIndication {
  indication: string;
  message: string;
}

/** A KubeVirt `VirtualMachineSnapshot` (snapshot.kubevirt.io, any served version). */
export interface VirtualMachineSnapshot {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec: {
    source: { apiGroup: string; kind: string; name: string };
    deletionPolicy?: string;
    failureDeadline?: string;
  };
  status?: {
    phase?: SnapshotPhase;
    readyToUse?: boolean;
    creationTime?: string;
    error?: { time?: string; message?: string };
    conditions?: Condition[];
    indications?: string[];
    sourceIndications?: SourceIndication[];
    snapshotVolumes?: { includedVolumes?: string[]; excludedVolumes?: string[] };
    virtualMachineSnapshotContentName?: string;
    sourceUID?: string;
  };
}

/** A KubeVirt `VirtualMachineRestore` (snapshot.kubevirt.io, any served version). */
export interface VirtualMachineRestore {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec: {
    target: { apiGroup: string; kind: string; name: string };
    virtualMachineSnapshotName: string;
    targetReadinessPolicy?: string;
    volumeRestorePolicy?: string;
  };
  status?: {
    complete?: boolean;
    restoreTime?: string;
    conditions?: Condition[];
    restores?: { volumeName?: string; persistentVolumeClaim?: string; volumeSnapshotName?: string }[];
    deletedDataVolumes?: string[];
  };
}

/** Finds a condition by type. */
export function findCondition(conditions: Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}
