/**
 * The seam between the provider and Kubernetes: every API call the provider makes goes through this
 * interface, so tests drive the provider with an in-memory cluster and production uses client-node.
 */
import type {
  VirtualMachine,
  VirtualMachineInstance,
  VirtualMachineRestore,
  VirtualMachineSnapshot,
} from "./types";

/** Identifies one snapshot object through one served API version. */
export interface SnapshotRef {
  version: string;
  namespace: string;
  name: string;
}

/** A watch event for one object. `ERROR` carries the Status code (410 = resourceVersion too old). */
export type WatchEvent<T> =
  | { type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK"; object: T }
  | { type: "ERROR"; code: number; message: string };

/** A watch event for a snapshot. */
export type SnapshotWatchEvent = WatchEvent<VirtualMachineSnapshot>;

/** A running watch: `closed` settles when the stream ends (with the error, if any); `stop` ends it. */
export interface WatchHandle {
  closed: Promise<unknown>;
  stop(): void;
}

/** The result of listing one object by name: the object (if any) and the list's resourceVersion. */
export interface Listing<T> {
  object: T | undefined;
  resourceVersion: string;
}

/** One object by name, as list and watch calls (a snapshot, a restore): what a wait observes. */
export interface ObjectStream<T> {
  /** Lists the object by name, to get it with a resourceVersion to watch from. */
  list(): Promise<Listing<T>>;
  /** Watches the object by name from `resourceVersion`. */
  watch(resourceVersion: string, onEvent: (event: WatchEvent<T>) => void): Promise<WatchHandle>;
}

/** The result of listing one snapshot by name. */
export type SnapshotListing = Listing<VirtualMachineSnapshot>;

/** Metadata that may change in place on a snapshot. */
export interface MetadataPatch {
  labels: Record<string, string | null>;
  annotations: Record<string, string | null>;
}

/** The Kubernetes operations the provider needs, for one cluster (one kubeconfig + context). */
export interface SnapshotCluster {
  /** The snapshot.kubevirt.io versions the cluster serves (discovery); empty when the group is missing. */
  servedSnapshotVersions(): Promise<string[]>;
  /** The VM, or `undefined` on 404. */
  getVirtualMachine(namespace: string, name: string): Promise<VirtualMachine | undefined>;
  /** The VM's instance, or `undefined` when the VM is not running (404). */
  getVirtualMachineInstance(namespace: string, name: string): Promise<VirtualMachineInstance | undefined>;
  /** The snapshot, or `undefined` on 404. */
  getSnapshot(ref: SnapshotRef): Promise<VirtualMachineSnapshot | undefined>;
  /** Creates a snapshot (server-side strict field validation). Throws `KubeApiError` (409 when it exists). */
  createSnapshot(version: string, body: VirtualMachineSnapshot): Promise<VirtualMachineSnapshot>;
  /** Merge-patches labels and annotations (`null` removes a key). */
  patchSnapshotMetadata(ref: SnapshotRef, patch: MetadataPatch): Promise<VirtualMachineSnapshot>;
  /** Deletes the snapshot; resolves false when it was already gone. */
  deleteSnapshot(ref: SnapshotRef): Promise<boolean>;
  /** The snapshots in `namespace` matching a label selector (e.g. one resource's history). */
  listSnapshotsByLabel(
    version: string,
    namespace: string,
    labelSelector: string,
  ): Promise<VirtualMachineSnapshot[]>;
  /**
   * Lists the snapshot by name to get it with a resourceVersion to watch from. `created`: the object the API
   * server answered this process's create of it with, just now; where the list would read the object again
   * because a shared cache has not seen it yet, it may answer with this instead (shared-streams.ts).
   */
  listSnapshot(ref: SnapshotRef, created?: VirtualMachineSnapshot): Promise<SnapshotListing>;
  /** Watches the snapshot by name from `resourceVersion`. */
  watchSnapshot(
    ref: SnapshotRef,
    resourceVersion: string,
    onEvent: (event: SnapshotWatchEvent) => void,
  ): Promise<WatchHandle>;
  /**
   * The pods in `namespace` that mount any of `claims` (`spec.volumes[].persistentVolumeClaim.claimName`),
   * or `undefined` when listing pods is forbidden (403), so callers fall back to KubeVirt's pod count.
   */
  listPodsUsingClaims(namespace: string, claims: string[]): Promise<PodUsingClaims[] | undefined>;
  /**
   * The KubeVirt version deployed (the KubeVirt CR's `status.observedKubeVirtVersion`), or `undefined` when it
   * cannot be read (no access to `kubevirts.kubevirt.io`, no CR, no version yet).
   */
  kubeVirtVersion(): Promise<string | undefined>;
}

/** Identifies one `VirtualMachineRestore` through one served API version. */
export type RestoreRef = SnapshotRef;

/** The snapshot operations plus what a `VMRestore` needs: the restore objects, listed and watched by name. */
export interface RestoreCluster extends SnapshotCluster {
  /** The restore, or `undefined` on 404. */
  getRestore(ref: RestoreRef): Promise<VirtualMachineRestore | undefined>;
  /** Creates a restore (server-side strict field validation). Throws `KubeApiError` (409 when it exists). */
  createRestore(version: string, body: VirtualMachineRestore): Promise<VirtualMachineRestore>;
  /** Merge-patches a restore's labels and annotations (`null` removes a key); its spec is immutable. */
  patchRestoreMetadata(ref: RestoreRef, patch: MetadataPatch): Promise<VirtualMachineRestore>;
  /** Deletes the restore; resolves false when it was already gone. */
  deleteRestore(ref: RestoreRef): Promise<boolean>;
  /** Lists the restore by name to get it with a resourceVersion to watch from. */
  listRestore(ref: RestoreRef): Promise<Listing<VirtualMachineRestore>>;
  /** Watches the restore by name from `resourceVersion`. */
  watchRestore(
    ref: RestoreRef,
    resourceVersion: string,
    onEvent: (event: WatchEvent<VirtualMachineRestore>) => void,
  ): Promise<WatchHandle>;
}

/** A pod that mounts some of a VM's PVCs: its name, `status.phase` and which of the claims it mounts. */
export interface PodUsingClaims {
  name: string;
  phase: string;
  claims: string[];
}
