import { UnreachableError } from "../../../provider/core/errors";
import { ownerHash } from "../../../provider/snapshot/ownership";
import { createVmSnapshotProvider } from "../../../provider/snapshot/provider";
import { FakeCluster } from "../../support/fake-cluster";
import {
  deadlineExceeded,
  firstStatus,
  locked,
  playKubevirt,
  ready,
  releaseOnDelete,
  succeeded,
  vmFixture,
} from "../../support/kubevirt-script";
import { checkedInputs, testDeps } from "../../support/test-deps";

async function created(steps = [firstStatus, locked(["GuestAgent", "Online"]), succeeded(), ready]) {
  const cluster = new FakeCluster();
  const { vm, vmi } = vmFixture();
  cluster.addVm(vm, vmi);
  const deps = testDeps(cluster);
  const provider = createVmSnapshotProvider(deps);
  playKubevirt(cluster, steps);
  const result = await provider.create(checkedInputs());
  return {
    cluster,
    deps,
    provider,
    id: result.id,
    outs: { ...result.outs, __provider: checkedInputs()["__provider"] },
  };
}

describe("read", () => {
  it("refreshes the outputs from the live snapshot", async () => {
    const { cluster, provider, id, outs } = await created();
    cluster.update("prod", "before-upgrade-abc1234", (s) => {
      s.status = {
        ...s.status,
        readyToUse: false,
        error: { message: "VolumeSnapshots (vmsnapshot-x-volume-rootdisk) missing" },
      };
    });
    const result = await provider.read(id, outs);
    expect(result.id).toBe(id);
    expect(result.props).toMatchObject({
      readyToUse: false,
      error: "VolumeSnapshots (vmsnapshot-x-volume-rootdisk) missing",
      guestAgentConnected: true,
      vmName: "db-1",
    });
    expect(result.props).not.toHaveProperty("__provider");
    // Inputs at their defaults, stored by the create's older-build inputs, are left out when written back.
    expect(result.props).not.toHaveProperty("waitFor");
  });

  it("reports a snapshot deleted out of band as gone (no id)", async () => {
    const { cluster, provider, id, outs } = await created();
    cluster.remove("prod", "before-upgrade-abc1234");
    await expect(provider.read(id, outs)).resolves.toEqual({});
  });
});

describe("diff after refresh", () => {
  it("replaces a snapshot that is no longer readyToUse, and nothing otherwise", async () => {
    const { provider, id, outs } = await created();
    expect(await provider.diff(id, outs, checkedInputs())).toEqual({
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
    expect(await provider.diff(id, { ...outs, readyToUse: false }, checkedInputs())).toMatchObject({
      changes: true,
      replaces: ["readyToUse"],
    });
  });
});

describe("update", () => {
  it("patches labels and annotations in place and keeps the managed-by marker", async () => {
    const { cluster, provider, id, outs } = await created();
    const news = checkedInputs({ labels: { team: "db" }, annotations: { note: "before upgrade" } });
    const result = await provider.update(id, outs, news);
    const live = cluster.snapshots.get("prod/before-upgrade-abc1234")!;
    expect(live.metadata.labels).toEqual({
      team: "db",
      "app.kubernetes.io/managed-by": "pulumi-kubevirt-snapshot",
      "pulumi-kubevirt-snapshot.io/owner-hash": ownerHash("proj/dev/before-upgrade"),
    });
    expect(live.metadata.annotations).toMatchObject({
      note: "before upgrade",
      "pulumi-kubevirt-snapshot.io/owner": "proj/dev/before-upgrade",
    });
    expect(result.outs).toMatchObject({ labels: { team: "db" }, readyToUse: true });

    await provider.update(id, { ...outs, ...result.outs }, checkedInputs());
    expect(cluster.snapshots.get("prod/before-upgrade-abc1234")!.metadata.labels).toEqual({
      "app.kubernetes.io/managed-by": "pulumi-kubevirt-snapshot",
      "pulumi-kubevirt-snapshot.io/owner-hash": ownerHash("proj/dev/before-upgrade"),
    });
  });
});

describe("delete", () => {
  it("deletes a Succeeded snapshot and waits for its finalizer", async () => {
    const { cluster, provider, id, outs } = await created();
    releaseOnDelete(cluster);
    await provider.delete(id, outs);
    expect(cluster.snapshots.size).toBe(0);
  });

  it("deletes a Failed snapshot", async () => {
    const cluster = new FakeCluster();
    const { vm, vmi } = vmFixture();
    cluster.addVm(vm, vmi);
    const provider = createVmSnapshotProvider(testDeps(cluster));
    playKubevirt(cluster, [firstStatus, deadlineExceeded]);
    const failure = (await provider.create(checkedInputs()).catch((e: unknown) => e)) as {
      id: string;
      properties: Record<string, unknown>;
    };
    releaseOnDelete(cluster);
    await provider.delete(failure.id, failure.properties);
    expect(cluster.snapshots.size).toBe(0);
  });

  it("deletes an InProgress snapshot: KubeVirt shows Deleting, then it is gone", async () => {
    const cluster = new FakeCluster();
    const { vm, vmi } = vmFixture();
    cluster.addVm(vm, vmi);
    const deps = testDeps(cluster);
    const provider = createVmSnapshotProvider(deps);
    await cluster.createSnapshot("v1beta1", {
      metadata: { namespace: "prod", name: "snap-1" },
      spec: { source: { apiGroup: "kubevirt.io", kind: "VirtualMachine", name: "db-1" } },
    });
    cluster.update("prod", "snap-1", firstStatus);
    releaseOnDelete(cluster, 5);
    await provider.delete("prod/snap-1", { apiVersion: "v1beta1", resourceName: "snap" });
    expect(cluster.snapshots.size).toBe(0);
    expect(deps.logs.info.join("\n")).toMatch(
      /\[snap\] prod\/snap-1 \(deleting\): phase Deleting; progressing: VM snapshot is deleting/,
    );
  });

  it("treats a snapshot that is already gone as deleted", async () => {
    const cluster = new FakeCluster();
    const provider = createVmSnapshotProvider(testDeps(cluster));
    await provider.delete("prod/missing", { apiVersion: "v1beta1" });
    expect(cluster.calls).toEqual(["discover", "delete"]);
  });

  it("names the unreachable cluster, not finalizers, when no answer came until deleteTimeout", async () => {
    const { provider, id, outs, cluster } = await created();
    const deleting = provider.delete(id, { ...outs, deleteTimeout: "200ms" });
    while (cluster.openWatches() === 0) await new Promise((r) => setTimeout(r, 1)); // the wait has begun
    cluster.failWith = { code: 503, verbs: ["list", "watch"] };
    cluster.cutWatches(new Error("connect ECONNREFUSED 127.0.0.1:6443"));
    await expect(deleting).rejects.toThrow(
      /its deletion was requested, but the cluster could not be reached until the 200ms wait \(deleteTimeout\) ended; last error: .*Fix: once the API server answers again/s,
    );
  });

  it("repeats a delete the API server gave no answer to (connection closed or refused) until it answers", async () => {
    const { provider, id, outs, cluster } = await created();
    releaseOnDelete(cluster);
    const real = cluster.deleteSnapshot.bind(cluster);
    let cut = 2;
    cluster.deleteSnapshot = async (ref) => {
      if (cut-- > 0) {
        await real(ref); // the deletion took effect, its answer was lost
        throw new UnreachableError("cannot reach the Kubernetes API: fetch failed (other side closed)");
      }
      return real(ref);
    };
    await provider.delete(id, { ...outs, deleteTimeout: "1m" });
    expect(cluster.calls.filter((c) => c === "delete")).toHaveLength(3);
    expect(cluster.snapshots.size).toBe(0);
  });

  it("names the unreachable cluster when even the delete request got no answer until deleteTimeout", async () => {
    const { provider, id, outs, cluster } = await created();
    cluster.deleteSnapshot = async () => {
      throw new UnreachableError("cannot reach the Kubernetes API: connect ECONNREFUSED 127.0.0.1:6443");
    };
    await expect(provider.delete(id, { ...outs, deleteTimeout: "200ms" })).rejects.toThrow(
      /its deletion was requested, but the cluster could not be reached until the 200ms wait \(deleteTimeout\) ended; last error: cannot reach the Kubernetes API: connect ECONNREFUSED/,
    );
  });

  it("fails with the finalizers it saw when the snapshot does not go away in time", async () => {
    const { provider, id, outs } = await created();
    await expect(provider.delete(id, { ...outs, deleteTimeout: "50ms" })).rejects.toThrow(
      /was still there 50ms after its deletion \(phase Succeeded, finalizers \["snapshot\.kubevirt\.io\/vmsnapshot-protection"\]\)/,
    );
  });
});
