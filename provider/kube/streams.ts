/** The list and watch calls of one snapshot or one restore, as the stream a wait observes (core/observe.ts). */
import type { ObjectStream, RestoreCluster, RestoreRef, SnapshotCluster, SnapshotRef } from "./cluster";
import type { VirtualMachineRestore, VirtualMachineSnapshot } from "./types";

/** The stream of one snapshot in a cluster. */
export function snapshotStream(
  cluster: SnapshotCluster,
  ref: SnapshotRef,
): ObjectStream<VirtualMachineSnapshot> {
  return {
    list: () => cluster.listSnapshot(ref),
    watch: (resourceVersion, onEvent) => cluster.watchSnapshot(ref, resourceVersion, onEvent),
  };
}

/** The stream of one restore in a cluster. */
export function restoreStream(cluster: RestoreCluster, ref: RestoreRef): ObjectStream<VirtualMachineRestore> {
  return {
    list: () => cluster.listRestore(ref),
    watch: (resourceVersion, onEvent) => cluster.watchRestore(ref, resourceVersion, onEvent),
  };
}
