import { missingVmOutcome } from "../../../provider/snapshot/missing-vm";
import { createVmSnapshotProvider } from "../../../provider/snapshot/provider";
import { FakeCluster } from "../../support/fake-cluster";
import {
  firstStatus,
  locked,
  playKubevirt,
  ready,
  releaseOnDelete,
  succeeded,
  vmFixture,
} from "../../support/kubevirt-script";
import { checkedInputs, testDeps } from "../../support/test-deps";

const PROVIDER = checkedInputs()["__provider"];

/** A cluster without the VM, and the provider over it. */
function withoutVm() {
  const cluster = new FakeCluster();
  const deps = testDeps(cluster);
  return { cluster, deps, provider: createVmSnapshotProvider(deps) };
}

/** A skipped resource as create stores it (outputs plus `__provider`). */
async function skippedResource() {
  const setup = withoutVm();
  const result = await setup.provider.create(checkedInputs({ whenVmMissing: "skip" }));
  setup.cluster.calls.length = 0;
  return { ...setup, id: result.id, outs: { ...result.outs, __provider: PROVIDER } };
}

describe("missingVmOutcome", () => {
  it("fails by default, naming the VM, the fix and the way to skip", () => {
    const outcome = missingVmOutcome({ namespace: "prod", vmName: "db-1", whenVmMissing: "fail" });
    expect(outcome).toEqual({
      kind: "fail",
      message:
        "VirtualMachine prod/db-1 not found (404), so nothing was created. Fix: check namespace and vmName " +
        "(kubectl get vm -n prod); if this program creates the VM after the snapshot (a snapshot before each " +
        'change of it), set whenVmMissing: "skip" so the first `pulumi up` skips it.',
    });
  });

  it('skips with a note under whenVmMissing "skip"', () => {
    const outcome = missingVmOutcome({ namespace: "prod", vmName: "db-1", whenVmMissing: "skip" });
    expect(outcome.kind).toBe("skip");
    expect(outcome.kind === "skip" && outcome.note).toMatch(
      /^VirtualMachine prod\/db-1 does not exist, so no snapshot was taken \(whenVmMissing is "skip"\)/,
    );
  });
});

describe('create of a missing VM with whenVmMissing "skip"', () => {
  it("takes no snapshot and records the resource as skipped, with empty status outputs", async () => {
    const { cluster, deps, provider } = withoutVm();
    const result = await provider.create(checkedInputs({ whenVmMissing: "skip" }));
    expect(result.id).toBe("prod/before-upgrade-abc1234");
    expect(result.outs).toMatchObject({
      skipped: true,
      whenVmMissing: "skip",
      snapshotName: "",
      namespace: "prod",
      vmName: "db-1",
      phase: "",
      readyToUse: false,
      creationTime: "",
      consistency: "",
      includedVolumes: [],
      keptHistory: [],
      name: "before-upgrade-abc1234",
    });
    expect(result.outs).not.toHaveProperty("__provider");
    expect(result.outs).not.toHaveProperty("claim");
    expect(cluster.snapshots.size).toBe(0);
    expect(cluster.calls).toEqual(["discover", "get-vm"]);
    expect(deps.logs.info).toEqual([
      expect.stringMatching(/^\[before-upgrade\] VirtualMachine prod\/db-1 does not exist, so no snapshot/),
    ]);
  });

  it("snapshots the VM as usual when it exists, and says skipped: false", async () => {
    const { cluster, provider } = withoutVm();
    const { vm, vmi } = vmFixture();
    cluster.addVm(vm, vmi);
    playKubevirt(cluster, [firstStatus, locked(["GuestAgent", "Online"]), succeeded(), ready]);
    const result = await provider.create(checkedInputs({ whenVmMissing: "skip" }));
    expect(result.outs).toMatchObject({
      skipped: false,
      readyToUse: true,
      snapshotName: "before-upgrade-abc1234",
    });
  });
});

describe("a skipped resource", () => {
  it("is not replaced for being unready, only by a replacing input such as triggers", async () => {
    const { provider, id, outs } = await skippedResource();
    const same = checkedInputs({ whenVmMissing: "skip" });
    expect(await provider.diff(id, outs, same)).toEqual({
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
    expect(await provider.diff(id, outs, { ...same, triggers: ["cores=4"] })).toEqual({
      changes: true,
      replaces: ["triggers"],
      deleteBeforeReplace: false,
    });
    expect(await provider.diff(id, outs, { ...same, whenVmMissing: "fail" })).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
  });

  it("is read as stored, without asking the cluster", async () => {
    const { cluster, provider, id, outs } = await skippedResource();
    const { __provider: _provider, ...stored } = outs;
    expect(await provider.read(id, outs)).toEqual({ id, props: stored });
    expect(cluster.calls).toEqual([]);
  });

  it("stores new inputs on update and stays skipped, without asking the cluster", async () => {
    const { cluster, provider, id, outs } = await skippedResource();
    const result = await provider.update(
      id,
      outs,
      checkedInputs({ whenVmMissing: "skip", labels: { a: "b" } }),
    );
    expect(result.outs).toMatchObject({ labels: { a: "b" }, skipped: true, snapshotName: "" });
    expect(cluster.calls).toEqual([]);
  });

  it("deletes nothing under its name, not even a snapshot that now bears it", async () => {
    const { cluster, provider, id, outs } = await skippedResource();
    const { vm, vmi } = vmFixture();
    cluster.addVm(vm, vmi);
    playKubevirt(cluster, [firstStatus, locked(["GuestAgent", "Online"]), succeeded(), ready]);
    // The same name, taken by another resource's create (a different owner).
    await provider.create(checkedInputs({ owner: "proj/dev/other", resourceName: "other" }));
    cluster.calls.length = 0;
    await provider.delete(id, outs);
    expect(cluster.calls).not.toContain("delete");
    expect(cluster.snapshots.has("prod/before-upgrade-abc1234")).toBe(true);
  });

  it("is replaced by a snapshot once the VM exists, and its delete then leaves that snapshot", async () => {
    const { cluster, provider, id, outs } = await skippedResource();
    const { vm, vmi } = vmFixture();
    cluster.addVm(vm, vmi);
    playKubevirt(cluster, [firstStatus, locked(["GuestAgent", "Online"]), succeeded(), ready]);
    const replacement = await provider.create(
      checkedInputs({ whenVmMissing: "skip", name: "before-upgrade-def5678", triggers: ["cores=4"] }),
    );
    expect(replacement.outs).toMatchObject({ skipped: false, readyToUse: true });
    releaseOnDelete(cluster);
    await provider.delete(id, outs);
    expect([...cluster.snapshots.keys()]).toEqual(["prod/before-upgrade-def5678"]);
  });

  it("reads state written before whenVmMissing existed as a resource that was never skipped", async () => {
    const { provider } = withoutVm();
    const older = {
      ...checkedInputs(),
      snapshotName: "before-upgrade-abc1234",
      phase: "Succeeded",
      readyToUse: true,
    };
    expect(older).not.toHaveProperty("whenVmMissing");
    const news = checkedInputs({ whenVmMissing: "fail" });
    expect(await provider.diff("prod/before-upgrade-abc1234", older, news)).toEqual({
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
  });
});
