/**
 * The simulator's VirtualMachineRestore controller (kubevirt-snapshot-semantics.md §6, checklist item 56)
 * asserted against the objects it writes on the real apiserver. One ground for the file; each test has its
 * own namespace. WaitGracePeriod's grace is shortened through KVSNAP_SIM_RESTORE_GRACE_MS (the ground passes
 * its environment on to the simulator).
 */
import {
  createNamespace,
  createReadySnapshot,
  createRestore,
  createVm,
  deleteRestore,
  eventually,
  getPvc,
  getRestore,
  getVm,
  getVmi,
  SNAPSHOT_SC,
  vmReady,
  type Admin,
  type RestoreSpec,
  type VmSpec,
} from "../ground/fixtures";
import type { Ground } from "../ground/ground";
import { readyGround } from "../ground/suite";

const GRACE_MS = 10_000;
const FINALIZER = "snapshot.kubevirt.io/vmrestore-protection";
const LAST_RESTORE = "restore.kubevirt.io/lastRestoreUID";
/** KubeVirt's legacy firmware UUID of a VM named "vm" (UUID v5 in namespace 6a1a24a1-…; computed with Python's uuid5). */
const VM_FIRMWARE_UUID = "d633a622-2335-5606-93ae-d432b7c7f2d2";
const REASONS = {
  waitGrace:
    "Waiting for target VM to be powered off. Please stop the restore target to proceed with restore, or the operation will fail after 5m0s",
  graceExceeded:
    "Restore target failed to be ready within 5m0s. Please power off the target VM before attempting restore",
  failImmediate: "Restore target VMI must be powered off before restore operation",
  stopTarget: "Automatically stopping restore target for restore operation",
  existingTarget: "restore source and restore target are different but restore target already exists",
};

let ground: Ground;
let a: Admin;
let n = 0;
const savedGrace = process.env["KVSNAP_SIM_RESTORE_GRACE_MS"];

beforeAll(async () => {
  process.env["KVSNAP_SIM_RESTORE_GRACE_MS"] = String(GRACE_MS);
  ({ ground, a } = await readyGround());
});
afterAll(async () => {
  if (savedGrace === undefined) delete process.env["KVSNAP_SIM_RESTORE_GRACE_MS"];
  else process.env["KVSNAP_SIM_RESTORE_GRACE_MS"] = savedGrace;
  await ground?.stop();
});

/** A namespace with VM "vm" (settled) and a readyToUse snapshot "snap" of it. */
async function setup(spec: Partial<VmSpec> = {}): Promise<string> {
  const ns = `r${++n}`;
  await createNamespace(a, ns);
  await createVm(a, ns, { name: "vm", ...spec });
  await vmReady(a, ns, "vm", spec.running !== false);
  await createReadySnapshot(a, ns, "snap", "vm");
  return ns;
}

const restore = (ns: string, spec: Partial<RestoreSpec> = {}) =>
  createRestore(a, ns, { name: "r", snapshot: "snap", target: "vm", ...spec });
const until = (ns: string, ok: (r: any) => boolean, what: string, ms?: number) =>
  eventually(
    () => getRestore(a, ns, "r"),
    (r) => Boolean(r) && ok(r),
    what,
    ms,
  );
const cond = (r: any, type: string) => (r.status?.conditions ?? []).find((c: any) => c.type === type);
const reasons = (r: any) =>
  Object.fromEntries((r.status?.conditions ?? []).map((c: any) => [c.type, `${c.status} ${c.reason}`]));
const completed = (ns: string) => until(ns, (r) => r.status?.complete === true, "restore complete");
const setRunStrategy = (ns: string, runStrategy: string) =>
  a.custom.patchNamespacedCustomObject(
    {
      group: "kubevirt.io",
      version: "v1",
      namespace: ns,
      plural: "virtualmachines",
      name: "vm",
      body: { spec: { runStrategy } },
    },
    a.lib.setHeaderOptions("Content-Type", a.lib.PatchStrategy.MergePatch),
  );
const events = async (ns: string, name: string) =>
  (await a.core.listNamespacedEvent({ namespace: ns })).items
    .filter((e) => e.involvedObject.name === name)
    .map((e) => `${e.reason ?? ""}: ${e.message ?? ""}`);
/** Waits for an event (the controller writes it after the status it belongs to). */
const emitted = (ns: string, name: string, line: string) =>
  eventually(
    () => events(ns, name),
    (list) => list.includes(line),
    `event "${line}"`,
  );
const gone = (ns: string) =>
  eventually(
    () => getRestore(a, ns, "r"),
    (r) => r === undefined,
    "restore gone",
  );

describe("simulated KubeVirt restore controller (§6, #56)", () => {
  it("restores a stopped VM from a ready snapshot: new PVC from the VolumeSnapshot, VM rewritten, lock released", async () => {
    const ns = await setup({ running: false });
    const snapshotUid = await a.custom.getNamespacedCustomObject({
      group: "snapshot.kubevirt.io",
      version: "v1beta1",
      plural: "virtualmachinesnapshots",
      namespace: ns,
      name: "snap",
    });
    await restore(ns);
    const r = await completed(ns);
    const vm = await getVm(a, ns, "vm");
    const uid = r.metadata.uid as string;
    const claim = `restore-${uid}-rootdisk`;
    expect(r.metadata.finalizers).toEqual([FINALIZER]);
    expect(r.metadata.ownerReferences).toEqual([
      {
        apiVersion: "kubevirt.io/v1",
        kind: "VirtualMachine",
        name: "vm",
        uid: vm.metadata.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    expect(Math.abs(Date.parse(r.status.restoreTime) - Date.now())).toBeLessThan(60_000);
    expect(r.status.restores).toEqual([
      {
        volumeName: "rootdisk",
        persistentVolumeClaim: claim,
        volumeSnapshotName: `vmsnapshot-${snapshotUid.metadata.uid as string}-volume-rootdisk`,
      },
    ]);
    expect(reasons(r)).toEqual({ Progressing: "False Operation complete", Ready: "True Operation complete" });
    expect(r.status.conditions.every((c: any) => c.message === undefined && c.lastTransitionTime)).toBe(true);

    const pvc = await eventually(
      () => getPvc(a, ns, claim),
      (p) => p?.status?.phase === "Bound",
      "restored PVC bound",
    );
    const source = {
      apiGroup: "snapshot.storage.k8s.io",
      kind: "VolumeSnapshot",
      name: r.status.restores[0].volumeSnapshotName,
    };
    expect(pvc?.spec?.dataSource).toEqual(source);
    expect(pvc?.spec?.dataSourceRef).toEqual(source);
    expect(pvc?.spec?.storageClassName).toBe(SNAPSHOT_SC);
    expect(pvc?.spec?.resources?.requests?.["storage"]).toBe("1Gi");
    expect(pvc?.metadata?.ownerReferences?.map((o) => o.uid)).toEqual([vm.metadata.uid]);
    expect(pvc?.metadata?.annotations).toMatchObject({
      "restore.kubevirt.io/name": "r",
      [LAST_RESTORE]: `r-${uid}`,
    });
    expect(pvc?.metadata?.labels).toMatchObject({
      "restore.kubevirt.io/source-vm-name": "vm",
      "restore.kubevirt.io/source-vm-namespace": ns,
    });

    expect(vm.spec.template.spec.volumes).toEqual([
      { name: "rootdisk", persistentVolumeClaim: { claimName: claim } },
    ]);
    expect(vm.spec.runStrategy).toBe("Halted");
    expect(vm.spec.template.spec.domain.firmware).toEqual({ uuid: VM_FIRMWARE_UUID });
    expect(vm.metadata.annotations[LAST_RESTORE]).toBe(`r-${uid}`);
    expect(vm.status.restoreInProgress).toBeUndefined();
    await emitted(ns, "r", "VirtualMachineRestoreComplete: Successfully completed VirtualMachineRestore r");

    await deleteRestore(a, ns, "r");
    await gone(ns);
    expect(await getPvc(a, ns, claim)).toBeDefined();
    expect(await getPvc(a, ns, "vm-rootdisk")).toBeDefined();
    expect((await getVm(a, ns, "vm")).spec.template.spec.volumes[0].persistentVolumeClaim.claimName).toBe(
      claim,
    );
  });

  it("holds the VM lock while restoring (runStrategy changes refused); deleting the restore releases lock and finalizer, keeps PVC and VM", async () => {
    const ns = await setup({ running: false });
    // The restored PVC stays Pending (scenario annotation through volumeRestoreOverrides): the restore waits.
    await restore(ns, {
      extra: {
        volumeRestoreOverrides: [
          { volumeName: "rootdisk", annotations: { "sim.kvsnap.io/unbound": "true" } },
        ],
      },
    });
    const r = await until(ns, (x) => cond(x, "Ready")?.reason === "Waiting for new PVCs", "waiting for PVCs");
    expect(reasons(r)).toEqual({
      Progressing: "True Creating new PVCs",
      Ready: "False Waiting for new PVCs",
    });
    expect(r.status.complete).toBe(false);
    expect((await getVm(a, ns, "vm")).status.restoreInProgress).toBe("r");
    await expect(setRunStrategy(ns, "Always")).rejects.toMatchObject({
      body: expect.stringMatching(/Cannot update VM runStrategy until restore \\"r\\" completes/),
    });
    const claim = `restore-${r.metadata.uid as string}-rootdisk`;
    const pending = await eventually(
      () => getPvc(a, ns, claim),
      (p) => p !== undefined,
      "restored PVC",
    );
    expect(pending?.status?.phase).not.toBe("Bound");
    expect((await getRestore(a, ns, "r")).status.complete).toBe(false);

    await deleteRestore(a, ns, "r");
    await gone(ns);
    const vm = await getVm(a, ns, "vm");
    expect(vm.status.restoreInProgress).toBeUndefined();
    expect(vm.spec.template.spec.volumes[0].persistentVolumeClaim.claimName).toBe("vm-rootdisk");
    expect(await getPvc(a, ns, claim)).toBeDefined();
    await setRunStrategy(ns, "Always");
  });

  it("FailImmediate with a running VM: Failure True, permanent, never complete, no lock", async () => {
    const ns = await setup();
    await restore(ns, { targetReadinessPolicy: "FailImmediate" });
    const r = await until(ns, (x) => Boolean(cond(x, "Failure")), "failure");
    expect(reasons(r)).toEqual({
      Progressing: `False ${REASONS.failImmediate}`,
      Ready: `False ${REASONS.failImmediate}`,
      Failure: `True ${REASONS.failImmediate}`,
    });
    expect(r.metadata.finalizers).toEqual([FINALIZER]);
    await setRunStrategy(ns, "Halted");
    await eventually(
      () => getVmi(a, ns, "vm"),
      (vmi) => vmi === undefined,
      "VMI gone",
    );
    await new Promise((res) => setTimeout(res, 2500));
    const later = await getRestore(a, ns, "r");
    expect(later.status.complete).toBe(false);
    expect(reasons(later)).toEqual(reasons(r));
    expect((await getVm(a, ns, "vm")).status.restoreInProgress).toBeUndefined();
    await emitted(ns, "r", `Operation failed: VirtualMachineRestore failed ${REASONS.failImmediate}`);
  });

  it("WaitGracePeriod (default) with a running VM waits, and completes once the VM is stopped", async () => {
    const ns = await setup();
    await restore(ns);
    const r = await until(ns, (x) => cond(x, "Progressing")?.reason === REASONS.waitGrace, "waiting");
    expect(reasons(r)).toEqual({
      Progressing: `False ${REASONS.waitGrace}`,
      Ready: `False ${REASONS.waitGrace}`,
    });
    expect((await getVm(a, ns, "vm")).status.restoreInProgress).toBeUndefined();
    await setRunStrategy(ns, "Halted");
    const done = await completed(ns);
    expect(reasons(done)).toEqual({
      Progressing: "False Operation complete",
      Ready: "True Operation complete",
    });
    await emitted(
      ns,
      "r",
      "RestoreTargetNotReady: Restore target VMI still exists, please stop the restore target to proceed with restore",
    );
  });

  it("WaitGracePeriod fails once the grace period (from creationTimestamp) has passed with the VM still running", async () => {
    const ns = await setup();
    const created = await restore(ns);
    const r = await until(ns, (x) => Boolean(cond(x, "Failure")), "grace exceeded", GRACE_MS + 15_000);
    expect(Date.parse(cond(r, "Failure").lastTransitionTime)).toBeGreaterThanOrEqual(
      Date.parse(created.metadata.creationTimestamp) + GRACE_MS - 1000,
    );
    expect(reasons(r)).toEqual({
      Progressing: `False ${REASONS.graceExceeded}`,
      Ready: `False ${REASONS.graceExceeded}`,
      Failure: `True ${REASONS.graceExceeded}`,
    });
    expect(r.status.complete).toBe(false);
    expect(await getVmi(a, ns, "vm")).toBeDefined();
  });

  it("StopTarget stops the running VM (runStrategy Halted) and completes", async () => {
    const ns = await setup();
    await restore(ns, { targetReadinessPolicy: "StopTarget" });
    const r = await completed(ns);
    const vm = await getVm(a, ns, "vm");
    expect(vm.spec.runStrategy).toBe("Halted");
    expect(await getVmi(a, ns, "vm")).toBeUndefined();
    expect(vm.spec.template.spec.volumes[0].persistentVolumeClaim.claimName).toBe(
      `restore-${r.metadata.uid as string}-rootdisk`,
    );
    await emitted(ns, "r", `RestoreTargetNotReady: ${REASONS.stopTarget}`);
  });

  it("waits while the snapshot is not readyToUse (error text as reasons, no Failure), then completes", async () => {
    const ns = `r${++n}`;
    await createNamespace(a, ns);
    await createVm(a, ns, {
      name: "vm",
      running: false,
      annotations: { "sim.kvsnap.io/ready-delay-ms": "4000" },
    });
    await vmReady(a, ns, "vm", false);
    await a.custom.createNamespacedCustomObject({
      group: "snapshot.kubevirt.io",
      version: "v1beta1",
      plural: "virtualmachinesnapshots",
      namespace: ns,
      body: {
        apiVersion: "snapshot.kubevirt.io/v1beta1",
        kind: "VirtualMachineSnapshot",
        metadata: { name: "snap" },
        spec: { source: { apiGroup: "kubevirt.io", kind: "VirtualMachine", name: "vm" } },
      },
    });
    await restore(ns);
    const message = `VMSnapshot ${ns}/snap not ready`;
    const r = await until(ns, (x) => cond(x, "Progressing")?.reason === message, "snapshot not ready");
    expect(reasons(r)).toEqual({ Progressing: `False ${message}`, Ready: `False ${message}` });
    expect(r.status.complete).toBe(false);
    await emitted(ns, "r", `VirtualMachineRestoreError: VirtualMachineRestore encountered error ${message}`);
    await completed(ns);
  });

  it("a missing snapshot keeps the restore waiting with KubeVirt's error text", async () => {
    const ns = await setup({ running: false });
    await restore(ns, { snapshot: "nope" });
    const message = `VMSnapshot ${ns}/nope does not exist`;
    const r = await until(ns, (x) => cond(x, "Progressing")?.reason === message, "snapshot missing");
    expect(reasons(r)).toEqual({ Progressing: `False ${message}`, Ready: `False ${message}` });
  });

  it("restores into a new VM (PrefixTargetName, patches): created stopped with the restored claim, restore owned by it", async () => {
    const ns = await setup();
    await restore(ns, {
      target: "vm-copy",
      volumeRestorePolicy: "PrefixTargetName",
      extra: { patches: ['{"op": "add", "path": "/metadata/annotations/restored", "value": "yes"}'] },
    });
    const r = await completed(ns);
    const copy = await getVm(a, ns, "vm-copy");
    expect(copy.spec.runStrategy).toBe("Halted");
    expect(copy.spec.template.spec.volumes).toEqual([
      { name: "rootdisk", persistentVolumeClaim: { claimName: "vm-copy-rootdisk" } },
    ]);
    expect(copy.spec.template.spec.domain.firmware).toBeUndefined();
    expect(copy.metadata.annotations).toEqual({
      [LAST_RESTORE]: `r-${r.metadata.uid as string}`,
      restored: "yes",
    });
    expect(r.status.restores[0].persistentVolumeClaim).toBe("vm-copy-rootdisk");
    expect(r.metadata.ownerReferences?.map((o: any) => o.uid)).toEqual([copy.metadata.uid]);
    const pvc = await getPvc(a, ns, "vm-copy-rootdisk");
    expect(pvc?.spec?.dataSource?.kind).toBe("VolumeSnapshot");
    expect(pvc?.metadata?.ownerReferences).toBeUndefined();
    expect((await getVm(a, ns, "vm")).spec.runStrategy).toBe("Always");
  });

  it("refuses an existing VM that is not the snapshot's source (no Failure)", async () => {
    const ns = await setup({ running: false });
    await createVm(a, ns, { name: "other", running: false });
    await restore(ns, { target: "other" });
    const r = await until(
      ns,
      (x) => cond(x, "Progressing")?.reason === REASONS.existingTarget,
      "existing target",
    );
    expect(reasons(r)).toEqual({
      Progressing: `False ${REASONS.existingTarget}`,
      Ready: `False ${REASONS.existingTarget}`,
    });
    expect((await getVm(a, ns, "other")).status.restoreInProgress).toBeUndefined();
  });

  it("InPlace deletes the original claim and recreates it under the same name from the VolumeSnapshot", async () => {
    const ns = await setup({ running: false });
    const before = await getPvc(a, ns, "vm-rootdisk");
    await restore(ns, { volumeRestorePolicy: "InPlace" });
    const r = await completed(ns);
    const after = await getPvc(a, ns, "vm-rootdisk");
    expect(after?.metadata?.uid).not.toBe(before?.metadata?.uid);
    expect(after?.spec?.dataSource?.name).toBe(r.status.restores[0].volumeSnapshotName);
    expect(after?.metadata?.annotations?.[LAST_RESTORE]).toBe(`r-${r.metadata.uid as string}`);
    expect(r.status.restores[0].persistentVolumeClaim).toBe("vm-rootdisk");
    expect((await getVm(a, ns, "vm")).spec.template.spec.volumes[0].persistentVolumeClaim.claimName).toBe(
      "vm-rootdisk",
    );
  });
});
