import type { SnapshotCluster, SnapshotRef } from "../../../provider/kube/cluster";
import { snapshotStream } from "../../../provider/kube/streams";
import type { VirtualMachineSnapshot } from "../../../provider/kube/types";

const ref: SnapshotRef = { version: "v1beta1", namespace: "prod", name: "s1" };
const created = {
  metadata: { namespace: "prod", name: "s1", resourceVersion: "7" },
  spec: { source: { apiGroup: "kubevirt.io", kind: "VirtualMachine", name: "db-1" } },
} as VirtualMachineSnapshot;

/** A cluster that records the arguments of each listSnapshot call. */
function recordingCluster() {
  const lists: unknown[][] = [];
  const cluster = {
    listSnapshot: (...args: unknown[]) => {
      lists.push(args);
      return Promise.resolve({ object: created, resourceVersion: "7" });
    },
  } as unknown as SnapshotCluster;
  return { cluster, lists };
}

describe("snapshotStream", () => {
  it("hands the create's answer to the first list only: a list after a watch failure reads the object anew", async () => {
    const { cluster, lists } = recordingCluster();
    const stream = snapshotStream(cluster, ref, created);
    await stream.list();
    await stream.list();
    expect(lists).toEqual([[ref, created], [ref]]);
  });

  it("lists without an answer when the wait does not follow a create", async () => {
    const { cluster, lists } = recordingCluster();
    await snapshotStream(cluster, ref).list();
    expect(lists).toEqual([[ref]]);
  });
});
