/** The list and watch calls of one snapshot or one restore, as the stream a wait observes (core/observe.ts). */
import type { ObjectStream, RestoreCluster, RestoreRef, SnapshotCluster, SnapshotRef } from "./cluster";
import type { VirtualMachineRestore, VirtualMachineSnapshot } from "./types";

/**
 * The stream of one snapshot in a cluster. `created`: the create's answer, when the wait follows the create at
 * once; only the first list may use it (a later one, after a watch failure, reads the object as it is then).
 */
export function snapshotStream(
  cluster: SnapshotCluster,
  ref: SnapshotRef,
  created?: VirtualMachineSnapshot,
): ObjectStream<VirtualMachineSnapshot> {
  let fresh = created;
  return {
    list: () => {
      const answer = fresh;
      fresh = undefined;
      return answer ? cluster.listSnapshot(ref, answer) : cluster.listSnapshot(ref);
    },
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
