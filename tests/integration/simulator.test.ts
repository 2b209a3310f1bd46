/**
 * The simulator's own tests: each behaviour it claims (kubevirt-snapshot-semantics.md §8, item numbers in
 * the test names) asserted against the objects it writes on the real apiserver.
 */
import {
  createNamespace,
  createVm,
  eventually,
  getVm,
  getVmi,
  leftovers,
  listIn,
  PLAIN_SC,
  vmReady,
  type Admin,
  type VmSpec,
} from "../ground/fixtures";
import type { Ground } from "../ground/ground";
import { readyGround } from "../ground/suite";

let ground: Ground;
let a: Admin;
let n = 0;

beforeAll(async () => {
  ({ ground, a } = await readyGround());
});
afterAll(async () => ground?.stop());

const SNAP = { group: "snapshot.kubevirt.io", version: "v1beta1", plural: "virtualmachinesnapshots" };

async function setup(spec: Partial<VmSpec> = {}) {
  const ns = `s${++n}`;
  await createNamespace(a, ns);
  await createVm(a, ns, { name: "vm", ...spec });
  await vmReady(a, ns, "vm", spec.running !== false);
  return ns;
}

async function snapshot(ns: string, name: string, spec: Record<string, unknown> = {}) {
  await a.custom.createNamespacedCustomObject({
    ...SNAP,
    namespace: ns,
    body: {
      apiVersion: "snapshot.kubevirt.io/v1beta1",
      kind: "VirtualMachineSnapshot",
      metadata: { name },
      spec: { source: { apiGroup: "kubevirt.io", kind: "VirtualMachine", name: "vm" }, ...spec },
    },
  });
}
const get = (ns: string, name: string): Promise<any> =>
  a.custom.getNamespacedCustomObject({ ...SNAP, namespace: ns, name });
const until = (ns: string, name: string, ok: (s: any) => boolean, what: string, ms?: number) =>
  eventually(() => get(ns, name), ok, what, ms);
const cond = (s: any, type: string) => (s.status?.conditions ?? []).find((c: any) => c.type === type);
const remove = (ns: string, name: string) =>
  a.custom.deleteNamespacedCustomObject({ ...SNAP, namespace: ns, name });
const gone = (ns: string, name: string) =>
  eventually(
    () =>
      get(ns, name).then(
        () => false,
        () => true,
      ),
    (g) => g,
    `${name} gone`,
  );

describe("simulated KubeVirt snapshot controller", () => {
  it("#6 #7 #8 first status: finalizer, InProgress, Source not locked, sourceUID, empty condition messages", async () => {
    const ns = await setup({ annotations: { "sim.kvsnap.io/volume-snapshot-delay-ms": "3000" } });
    await snapshot(ns, "s");
    const s = await until(ns, "s", (x) => x.status?.phase === "InProgress", "first status");
    expect(s.metadata.finalizers).toEqual(["snapshot.kubevirt.io/vmsnapshot-protection"]);
    expect(s.status.readyToUse).toBe(false);
    expect(s.status.sourceUID).toBe((await getVm(a, ns, "vm")).metadata.uid);
    expect(cond(s, "Ready")).toMatchObject({ status: "False", reason: "Not ready" });
    expect(s.status.conditions.every((c: any) => c.message === undefined)).toBe(true);
    await remove(ns, "s");
    await gone(ns, "s");
  });

  it("#13 #14 #16 #17 #18 #22 #23 #26 #28 #33 #39 lock, content, VolumeSnapshot, freeze/thaw, Succeeded, ready, unlock", async () => {
    const ns = await setup({
      annotations: { "sim.kvsnap.io/volume-snapshot-delay-ms": "800", "sim.kvsnap.io/ready-delay-ms": "800" },
    });
    await snapshot(ns, "s");
    const locked = await until(
      ns,
      "s",
      (x) => cond(x, "Progressing")?.reason === "Source locked and operation in progress",
      "locked",
    );
    const vm = await getVm(a, ns, "vm");
    expect(vm.status.snapshotInProgress).toBe("s");
    expect(vm.metadata.finalizers).toContain("snapshot.kubevirt.io/snapshot-source-protection");
    const uid = locked.metadata.uid as string;
    const content = await eventually(
      () =>
        a.custom
          .getNamespacedCustomObject({
            ...SNAP,
            plural: "virtualmachinesnapshotcontents",
            namespace: ns,
            name: `vmsnapshot-content-${uid}`,
          })
          .catch(() => undefined),
      (c: any) => Boolean(c),
      "content",
    );
    expect(content.metadata.finalizers).toEqual(["snapshot.kubevirt.io/vmsnapshotcontent-protection"]);
    expect(content.metadata.ownerReferences).toBeUndefined();
    expect(content.spec.virtualMachineSnapshotName).toBe("s");
    expect(content.spec.source.virtualMachine.metadata.managedFields).toBeUndefined();
    expect(content.spec.volumeBackups).toEqual([
      expect.objectContaining({
        volumeName: "rootdisk",
        volumeSnapshotName: `vmsnapshot-${uid}-volume-rootdisk`,
      }),
    ]);
    const frozen = await eventually(
      () => getVmi(a, ns, "vm"),
      (vmi) => vmi.status?.fsFreezeStatus === "frozen",
      "guest frozen",
    );
    expect(frozen).toBeTruthy();
    const [vs] = await eventually(
      () => listIn(a, ns, "snapshot.storage.k8s.io", "v1", "volumesnapshots"),
      (l) => l.length === 1,
      "VolumeSnapshot",
    );
    expect(vs.metadata.labels).toEqual({
      "snapshot.kubevirt.io/source-vm-name": "vm",
      "snapshot.kubevirt.io/source-vm-namespace": ns,
    });
    expect(vs.metadata.ownerReferences[0]).toMatchObject({
      kind: "VirtualMachineSnapshotContent",
      uid: content.metadata.uid,
      controller: true,
      blockOwnerDeletion: true,
    });
    expect(vs.spec).toEqual({
      source: { persistentVolumeClaimName: "vm-rootdisk" },
      volumeSnapshotClassName: "csi-snapclass",
    });
    const succeeded = await until(ns, "s", (x) => x.status?.phase === "Succeeded", "Succeeded");
    expect(succeeded.status.readyToUse).toBe(false); // Succeeded is not readyToUse
    expect((await getVmi(a, ns, "vm")).status.fsFreezeStatus).toBeUndefined(); // thawed at creationTime, not at readyToUse
    const ready = await until(ns, "s", (x) => x.status?.readyToUse === true, "readyToUse");
    expect(cond(ready, "Ready")).toMatchObject({ status: "True", reason: "Ready" });
    expect(cond(ready, "Progressing")).toMatchObject({ status: "False", reason: "Operation complete" });
    expect(ready.status.virtualMachineSnapshotContentName).toBe(`vmsnapshot-content-${uid}`);
    expect(ready.status.sourceIndications).toEqual([
      {
        indication: "GuestAgent",
        message:
          "Guest agent was active and attempted to quiesce the filesystem for application consistency.",
      },
      {
        indication: "Online",
        message: "Snapshot taken while the VM was running. Consistency depends on guest-agent quiescing.",
      },
    ]);
    await eventually(
      () => getVm(a, ns, "vm"),
      (v) => !v.status?.snapshotInProgress && !(v.metadata.finalizers ?? []).length,
      "VM unlocked",
    );
    await remove(ns, "s");
    await gone(ns, "s");
    await eventually(
      () => leftovers(a, ns),
      (l) => l.contents.length === 0 && l.volumeSnapshots.length === 0,
      "#44 #47 content and VolumeSnapshots deleted",
    );
  });

  it("#9 #32 #40 #45 deadline: Failed, Failure reason, no error text, content deleted, VM unlocked, object kept", async () => {
    const ns = await setup({ annotations: { "sim.kvsnap.io/volume-snapshot-delay-ms": "60000" } });
    await snapshot(ns, "s", { failureDeadline: "3s" });
    const failed = await until(ns, "s", (x) => x.status?.phase === "Failed", "Failed", 20_000);
    expect(cond(failed, "Failure")).toMatchObject({ status: "True", reason: "snapshot deadline exceeded" });
    expect(cond(failed, "Progressing")).toMatchObject({ status: "False", reason: "Operation failed" });
    expect(failed.status.error).toBeUndefined();
    await eventually(
      () => leftovers(a, ns),
      (l) => l.contents.length === 0 && l.volumeSnapshots.length === 0,
      "content cleaned up",
    );
    await eventually(
      () => getVm(a, ns, "vm"),
      (v) => !v.status?.snapshotInProgress,
      "unlocked",
    );
    await new Promise((r) => setTimeout(r, 1500));
    expect((await get(ns, "s")).status.phase).toBe("Failed");
    await remove(ns, "s");
    await gone(ns, "s");
  });

  it("#24 #34 a freeze error is mirrored with Progressing In error state and retried", async () => {
    const ns = await setup({
      annotations: { "sim.kvsnap.io/freeze-error": "command Freeze failed: denied" },
    });
    await snapshot(ns, "s", { failureDeadline: "4s" });
    const erroring = await until(
      ns,
      "s",
      (x) => x.status?.error?.message === "command Freeze failed: denied",
      "error mirrored",
    );
    expect(cond(erroring, "Progressing")).toMatchObject({ status: "False", reason: "In error state" });
    expect(erroring.status.phase).toBe("InProgress");
    const failed = await until(ns, "s", (x) => x.status?.phase === "Failed", "Failed", 20_000);
    expect(failed.status.error.message).toBe("command Freeze failed: denied");
    await remove(ns, "s");
    await gone(ns, "s");
  });

  it("#27 #37 a VSS thaw limit yields QuiesceTimeout and still succeeds", async () => {
    const ns = await setup({
      annotations: { "sim.kvsnap.io/thaw-error": "fsfreeze is limited up to 10 seconds" },
    });
    await snapshot(ns, "s");
    const done = await until(ns, "s", (x) => x.status?.readyToUse === true, "ready", 30_000);
    expect(done.status.indications).toEqual(["GuestAgent", "Online", "QuiesceTimeout"]);
    await remove(ns, "s");
    await gone(ns, "s");
  });

  it("#35 #36 #20 excluded volumes and PartialSnapshot; non-claim volumes excluded without it", async () => {
    const ns = await setup({ disks: { rootdisk: "csi-snap", data: PLAIN_SC, cloudinit: "cloudinit" } });
    const vm = await getVm(a, ns, "vm");
    expect(vm.status.volumeSnapshotStatuses).toEqual([
      { name: "rootdisk", enabled: true },
      {
        name: "data",
        enabled: false,
        reason:
          "No VolumeSnapshotClass: Volume snapshots are not configured for this StorageClass [plain-nfs] [data]",
      },
      {
        name: "cloudinit",
        enabled: false,
        reason: "Snapshot is not supported for this volumeSource type [cloudinit]",
      },
    ]);
    await snapshot(ns, "s");
    const done = await until(ns, "s", (x) => x.status?.readyToUse === true, "ready");
    expect(done.status.snapshotVolumes).toEqual({
      includedVolumes: ["rootdisk"],
      excludedVolumes: ["data", "cloudinit"],
    });
    expect(done.status.sourceIndications.map((i: any) => i.indication)).toEqual([
      "GuestAgent",
      "Online",
      "PartialSnapshot",
    ]);
    await remove(ns, "s");
    await gone(ns, "s");
  });

  it("#10 an unbound PVC keeps the snapshot unlocked with KubeVirt's reason", async () => {
    const ns = await setup({ pvcAnnotations: { "sim.kvsnap.io/unbound": "true" } });
    await snapshot(ns, "s");
    const waiting = await until(
      ns,
      "s",
      (x) => /volume not bound/.test(cond(x, "Progressing")?.reason ?? ""),
      "not bound reason",
    );
    expect(cond(waiting, "Progressing").reason).toBe(
      `Source not locked source ${ns}/vm volume not bound: vm-rootdisk`,
    );
    await remove(ns, "s");
    await gone(ns, "s");
  });

  it("#12 a second snapshot waits for the lock and then completes", async () => {
    const ns = await setup({ annotations: { "sim.kvsnap.io/volume-snapshot-delay-ms": "1500" } });
    await snapshot(ns, "first");
    await until(ns, "first", (x) => cond(x, "Progressing")?.status === "True", "first locked");
    await snapshot(ns, "second");
    await until(
      ns,
      "second",
      (x) => cond(x, "Progressing")?.reason === 'Source not locked snapshot "first" in progress',
      "second waits",
    );
    await until(ns, "second", (x) => x.status?.readyToUse === true, "second ready", 30_000);
    for (const s of ["first", "second"]) await remove(ns, s);
    await gone(ns, "second");
  });

  it("#43 #41 deleting an unfinished snapshot shows Deleting, removes the content, thaws and unlocks", async () => {
    const ns = await setup({ annotations: { "sim.kvsnap.io/volume-snapshot-delay-ms": "60000" } });
    await snapshot(ns, "s");
    await eventually(
      () => leftovers(a, ns),
      (l) => l.volumeSnapshots.length === 1,
      "VolumeSnapshot created",
    );
    await remove(ns, "s");
    const deleting = await until(ns, "s", (x) => x.status?.phase === "Deleting", "Deleting").catch(
      () => undefined,
    );
    if (deleting) expect(cond(deleting, "Progressing")).toMatchObject({ reason: "VM snapshot is deleting" });
    await gone(ns, "s");
    expect(await leftovers(a, ns)).toEqual({ snapshots: [], contents: [], volumeSnapshots: [] });
    const vmi = await getVmi(a, ns, "vm");
    expect(vmi.status.fsFreezeStatus).toBeUndefined();
    await eventually(
      () => getVm(a, ns, "vm"),
      (v) => !v.status?.snapshotInProgress && !(v.metadata.finalizers ?? []).length,
      "unlocked",
    );
  });

  it("#46 Retain keeps ready content and its VolumeSnapshots", async () => {
    const ns = await setup();
    await snapshot(ns, "s", { deletionPolicy: "Retain" });
    await until(ns, "s", (x) => x.status?.readyToUse === true, "ready");
    await remove(ns, "s");
    await gone(ns, "s");
    const left = await leftovers(a, ns);
    expect(left.contents).toHaveLength(1);
    expect(left.volumeSnapshots).toHaveLength(1);
    const [content] = await listIn(
      a,
      ns,
      "snapshot.kubevirt.io",
      "v1beta1",
      "virtualmachinesnapshotcontents",
    );
    expect(content.metadata.finalizers ?? []).toEqual([]);
  });

  it("#48 a VolumeSnapshot deleted after success makes the snapshot not ready with KubeVirt's error", async () => {
    const ns = await setup();
    await snapshot(ns, "s");
    await until(ns, "s", (x) => x.status?.readyToUse === true, "ready");
    const [vs] = await listIn(a, ns, "snapshot.storage.k8s.io", "v1", "volumesnapshots");
    await a.custom.deleteNamespacedCustomObject({
      group: "snapshot.storage.k8s.io",
      version: "v1",
      plural: "volumesnapshots",
      namespace: ns,
      name: vs.metadata.name,
    });
    const broken = await until(ns, "s", (x) => x.status?.readyToUse === false, "not ready");
    expect(broken.status.phase).toBe("Succeeded");
    expect(broken.status.error.message).toBe(`VolumeSnapshots (${vs.metadata.name as string}) missing`);
    expect(cond(broken, "Progressing")).toMatchObject({ reason: "In error state" });
    await remove(ns, "s");
    await gone(ns, "s");
  });

  it("#49 a missing source stays InProgress with Source does not exist until the deadline", async () => {
    const ns = `s${++n}`;
    await createNamespace(a, ns);
    await snapshot(ns, "s", { failureDeadline: "3s" });
    const waiting = await until(
      ns,
      "s",
      (x) => cond(x, "Progressing")?.reason === "Source does not exist",
      "no source",
    );
    expect(waiting.status.phase).toBe("InProgress");
    await until(ns, "s", (x) => x.status?.phase === "Failed", "Failed at deadline", 20_000);
    await remove(ns, "s");
    await gone(ns, "s");
  });

  it("#50 #15 a locked VM refuses run-state changes and survives deletion until the snapshot finishes", async () => {
    const ns = await setup({ annotations: { "sim.kvsnap.io/volume-snapshot-delay-ms": "3000" } });
    await snapshot(ns, "s");
    await until(ns, "s", (x) => cond(x, "Progressing")?.status === "True", "locked");
    const patch = a.custom.patchNamespacedCustomObject(
      {
        group: "kubevirt.io",
        version: "v1",
        plural: "virtualmachines",
        namespace: ns,
        name: "vm",
        body: { spec: { runStrategy: "Halted" } },
      },
      a.lib.setHeaderOptions("Content-Type", a.lib.PatchStrategy.MergePatch),
    );
    await expect(patch).rejects.toMatchObject({
      body: expect.stringMatching(/Cannot update vm running state until snapshot \\"s\\" completes/),
    });
    await a.custom.deleteNamespacedCustomObject({
      group: "kubevirt.io",
      version: "v1",
      plural: "virtualmachines",
      namespace: ns,
      name: "vm",
    });
    expect((await getVm(a, ns, "vm")).metadata.deletionTimestamp).toBeDefined();
    await until(
      ns,
      "s",
      (x) => x.status?.readyToUse === true,
      "completes against the terminating VM",
      30_000,
    );
    await eventually(
      () =>
        getVm(a, ns, "vm").then(
          () => false,
          () => true,
        ),
      (g) => g,
      "VM deleted after unlock",
    );
    expect((await get(ns, "s")).status.phase).toBe("Succeeded"); // #51: no ownerRefs to the VM
    await remove(ns, "s");
    await gone(ns, "s");
  });
});
