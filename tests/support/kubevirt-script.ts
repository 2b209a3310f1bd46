/**
 * Fixtures that play KubeVirt's part against the FakeCluster in unit tests: VMs with their instance and
 * volume statuses, and scripted status sequences for snapshots (a faithful timeline per
 * kubevirt-snapshot-semantics.md §3.11; the real simulator lives with the integration tests).
 */
import type {
  VirtualMachine,
  VirtualMachineInstance,
  VirtualMachineSnapshot,
  VolumeSnapshotStatus,
} from "../../provider/kube/types";
import type { FakeCluster } from "./fake-cluster";

/** How a test VM looks. */
export interface VmShape {
  namespace?: string;
  name?: string;
  running?: boolean;
  agent?: boolean;
  paused?: boolean;
  volumes?: VolumeSnapshotStatus[];
  snapshotInProgress?: string;
}

/** Builds a VM (and its VMI when running) with the given agent/pause state and volume statuses. */
export function vmFixture(shape: VmShape = {}): { vm: VirtualMachine; vmi?: VirtualMachineInstance } {
  const namespace = shape.namespace ?? "prod";
  const name = shape.name ?? "db-1";
  const volumes = shape.volumes ?? [{ name: "rootdisk", enabled: true }];
  const vm: VirtualMachine = {
    metadata: { namespace, name, uid: `vm-uid-${name}` },
    spec: {
      runStrategy: shape.running === false ? "Halted" : "Always",
      template: { spec: { volumes: volumes.map((v) => ({ name: v.name })) } },
    },
    status: {
      volumeSnapshotStatuses: volumes,
      ...(shape.snapshotInProgress ? { snapshotInProgress: shape.snapshotInProgress } : {}),
    },
  };
  if (shape.running === false) return { vm };
  const conditions = [
    ...(shape.agent === false ? [] : [{ type: "AgentConnected", status: "True" }]),
    ...(shape.paused ? [{ type: "Paused", status: "True", reason: "PausedByUser" }] : []),
  ];
  return { vm, vmi: { metadata: { namespace, name }, status: { phase: "Running", conditions } } };
}

/** One scripted change to a snapshot's stored object. */
export type Step = (s: VirtualMachineSnapshot) => void;

const condition = (type: string, status: string, reason: string) => ({ type, status, reason });

/** KubeVirt's first reconcile: finalizer + InProgress, not locked. */
export const firstStatus: Step = (s) => {
  s.metadata.finalizers = ["snapshot.kubevirt.io/vmsnapshot-protection"];
  s.status = {
    phase: "InProgress",
    readyToUse: false,
    sourceUID: "vm-uid-db-1",
    conditions: [
      condition("Progressing", "False", "Source not locked"),
      condition("Ready", "False", "Not ready"),
    ],
  };
};

/** Locked and in progress, with the given indications. */
export const locked =
  (indications: string[]): Step =>
  (s) => {
    s.status = {
      ...s.status,
      phase: "InProgress",
      indications,
      sourceIndications: indications.map((i) => ({ indication: i, message: `${i} message` })),
      conditions: [
        condition("Progressing", "True", "Source locked and operation in progress"),
        condition("Ready", "False", "Not ready"),
      ],
    };
  };

/** Succeeded (creationTime set), not yet ready. */
export const succeeded =
  (included: string[] = ["rootdisk"], excluded: string[] = []): Step =>
  (s) => {
    s.status = {
      ...s.status,
      phase: "Succeeded",
      creationTime: "2026-11-29T10:00:00Z",
      virtualMachineSnapshotContentName: `vmsnapshot-content-${s.metadata.uid ?? ""}`,
      snapshotVolumes: { includedVolumes: included, excludedVolumes: excluded },
      conditions: [
        condition("Progressing", "False", "Operation complete"),
        condition("Ready", "False", "Not ready"),
      ],
    };
  };

/** Every VolumeSnapshot ready. */
export const ready: Step = (s) => {
  s.status = {
    ...s.status,
    readyToUse: true,
    conditions: [
      condition("Progressing", "False", "Operation complete"),
      condition("Ready", "True", "Ready"),
    ],
  };
};

/** A transient content error (e.g. a freeze failure), still InProgress. */
export const contentError =
  (message: string): Step =>
  (s) => {
    s.status = {
      ...s.status,
      error: { time: "2026-11-29T10:00:00Z", message },
      conditions: [
        condition("Progressing", "False", "In error state"),
        condition("Ready", "False", "Not ready"),
      ],
    };
  };

/** The deadline passed: Failed, Failure=True "snapshot deadline exceeded". */
export const deadlineExceeded: Step = (s) => {
  s.status = {
    ...s.status,
    phase: "Failed",
    readyToUse: false,
    conditions: [
      condition("Progressing", "False", s.status?.error ? "In error state" : "Operation failed"),
      condition("Ready", "False", "Not ready"),
      condition("Failure", "True", "snapshot deadline exceeded"),
    ],
  };
};

/** Runs the steps on every created snapshot, one per macrotask. */
export function playKubevirt(cluster: FakeCluster, steps: Step[]): void {
  cluster.onCreate = (created) => {
    const ns = created.metadata.namespace ?? "";
    const name = created.metadata.name ?? "";
    steps.forEach((step, i) => setTimeout(() => cluster.update(ns, name, step), i + 1));
  };
}

/** KubeVirt's deletion: an unfinished snapshot shows Deleting, then its finalizer is released. */
export function releaseOnDelete(cluster: FakeCluster, holdMs = 1): void {
  cluster.onDelete = (marked) => {
    const ns = marked.metadata.namespace ?? "";
    const name = marked.metadata.name ?? "";
    if (marked.status?.phase === "InProgress") {
      cluster.update(ns, name, (s) => {
        s.status = {
          ...s.status,
          phase: "Deleting",
          conditions: [condition("Progressing", "False", "VM snapshot is deleting")],
        };
      });
    }
    setTimeout(() => cluster.update(ns, name, (s) => (s.metadata.finalizers = [])), holdMs);
  };
}
