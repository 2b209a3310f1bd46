/**
 * The provider, as Pulumi's host runs it, against a real kube-apiserver with KubeVirt's own controllers:
 * agent/no agent/paused/offline, volume eligibility, deadlines, freeze errors, deletion, Retain, the
 * per-VM lock. After each test, nothing is left that the test did not mean to leave.
 */
import type { ProviderHost } from "../support/host-client";
import { checkedInputs } from "../support/test-deps";
import {
  createNamespace,
  createVm,
  dryRunProbe,
  eventually,
  getVm,
  getVmi,
  leftovers,
  listIn,
  nothingLeft,
  PLAIN_SC,
  vmReady,
  type Admin,
  type VmSpec,
} from "../ground/fixtures";
import { type Ground } from "../ground/ground";
import { behaviour, freezeErrorText } from "../ground/kubevirt-behaviour";
import { readyGroundWithHost } from "../ground/suite";

let ground: Ground;
let a: Admin;
let host: ProviderHost;
let nsCounter = 0;

let stop: () => Promise<void> = async () => undefined;

beforeAll(async () => {
  ({ ground, a, host, stop } = await readyGroundWithHost());
});
afterAll(() => stop());

/** A fresh namespace with one VM, settled by the VM runtime stand-in and KubeVirt's snapshot controller. */
async function withVm(spec: Partial<VmSpec> = {}): Promise<{ ns: string; vm: string }> {
  const ns = `t${++nsCounter}`;
  await createNamespace(a, ns);
  const vm = spec.name ?? "db-1";
  await createVm(a, ns, { name: vm, ...spec });
  await vmReady(a, ns, vm, spec.running !== false);
  return { ns, vm };
}

async function check(news: Record<string, unknown>) {
  const result = await host.call<{ inputs: Record<string, unknown>; failures: unknown[] }>(
    "check",
    undefined,
    { resourceName: "snap", owner: "itest/dev/snap", ...news, __provider: host.providerText },
  );
  expect(result.failures).toEqual([]);
  return result.inputs;
}

async function deleteAndExpectClean(ns: string, id: string, props: Record<string, unknown>): Promise<void> {
  await host.call("delete", id, props);
  await nothingLeft(a, ns);
}

describe("create against KubeVirt", () => {
  it("freezes a running VM with a connected agent, thaws it, and waits until readyToUse", async () => {
    const { ns, vm } = await withVm({ annotations: { "sim.kvsnap.io/volume-snapshot-delay-ms": "600" } });
    const seen = new Set<string>();
    const sampler = setInterval(
      () => void getVmi(a, ns, vm).then((vmi) => seen.add(vmi?.status?.fsFreezeStatus ?? "thawed")),
      50,
    );
    const inputs = await check({ namespace: ns, vmName: vm });
    const created = await host.call("create", inputs).finally(() => clearInterval(sampler));
    expect(created.outs).toMatchObject({
      phase: "Succeeded",
      readyToUse: true,
      online: true,
      guestAgentConnected: true,
      consistency: "frozen",
      indications: ["GuestAgent", "Online"],
      includedVolumes: ["rootdisk"],
      excludedVolumes: [],
      apiVersion: "v1beta1",
    });
    expect(created.outs.sourceIndications.map((s: { indication: string }) => s.indication)).toEqual(
      behaviour.sourceIndications ? ["GuestAgent", "Online"] : [],
    );
    expect(seen).toContain("frozen");
    expect((await getVmi(a, ns, vm)).status.fsFreezeStatus).toBeUndefined();
    const contentName = created.outs.contentName as string;
    expect(
      (await listIn(a, ns, "snapshot.kubevirt.io", "v1beta1", "virtualmachinesnapshotcontents")).map(
        (c) => c.metadata.name,
      ),
    ).toEqual([contentName]);
    await deleteAndExpectClean(ns, created.id, { ...created.outs, __provider: host.providerText });
  });

  it("warns and takes a crash-consistent snapshot without an agent under prefer; refuses under require", async () => {
    const { ns, vm } = await withVm({ annotations: { "sim.kvsnap.io/agent": "disconnected" } });
    const created = await host.call("create", await check({ namespace: ns, vmName: vm }));
    expect(created.outs).toMatchObject({
      guestAgentConnected: false,
      consistency: "crash-consistent",
      indications: ["NoGuestAgent", "Online"],
      readyToUse: true,
    });
    expect(host.output.join("\n")).toMatch(
      /warning: VM t\d+\/db-1 is running but its QEMU guest agent is not connected/,
    );
    expect(host.output.join("\n")).toMatch(/is crash-consistent: KubeVirt indicates NoGuestAgent/);
    await deleteAndExpectClean(ns, created.id, { ...created.outs, __provider: host.providerText });

    const refused = await host.fail(
      "create",
      await check({ namespace: ns, vmName: vm, guestAgent: "require" }),
    );
    expect(refused.message).toMatch(/guestAgent is "require", so nothing was created/);
    expect(refused.id).toBeUndefined();
    await nothingLeft(a, ns);
  });

  it("snapshots a paused VM without freezing it (Paused indication)", async () => {
    const { ns, vm } = await withVm({ annotations: { "sim.kvsnap.io/paused": "true" } });
    const created = await host.call("create", await check({ namespace: ns, vmName: vm }));
    expect(created.outs).toMatchObject(
      behaviour.pausedIndication
        ? { indications: ["Online", "Paused"], consistency: "crash-consistent", readyToUse: true }
        : { indications: ["GuestAgent", "Online"], consistency: "frozen", readyToUse: true },
    );
    await deleteAndExpectClean(ns, created.id, { ...created.outs, __provider: host.providerText });
  });

  it("takes an offline snapshot of a stopped VM (no indications)", async () => {
    const { ns, vm } = await withVm({ running: false });
    const created = await host.call(
      "create",
      await check({ namespace: ns, vmName: vm, guestAgent: "require" }),
    );
    expect(created.outs).toMatchObject({
      online: false,
      consistency: "offline",
      indications: [],
      readyToUse: true,
      includedVolumes: ["rootdisk"],
    });
    await deleteAndExpectClean(ns, created.id, { ...created.outs, __provider: host.providerText });
  });

  it("names the pods that keep KubeVirt from locking a stopped VM, in progress and in the failure", async () => {
    const { ns, vm } = await withVm({ running: false });
    const pod = "holder";
    await a.core.createNamespacedPod({
      namespace: ns,
      body: {
        metadata: { name: pod },
        spec: {
          containers: [{ name: "c", image: "busybox" }],
          volumes: [{ name: "d", persistentVolumeClaim: { claimName: `${vm}-rootdisk` } }],
        },
      },
    });
    try {
      // No kubelet runs it: play one by setting the phase through the status subresource.
      await a.core.patchNamespacedPodStatus(
        { name: pod, namespace: ns, body: { status: { phase: "Running" } } },
        a.lib.setHeaderOptions("Content-Type", a.lib.PatchStrategy.MergePatch),
      );
      const inputs = await check({ namespace: ns, vmName: vm, failureDeadline: "8s", onFailure: "delete" });
      const error = await host.fail("create", inputs);
      const output = host.output.join("\n");
      const held = `"${pod}" \\(Running, mounts ${vm}-rootdisk\\)`;
      expect(output).toMatch(
        new RegExp(`warning: VM ${ns}/${vm} is stopped and 1 pod mounts its PVCs: ${held}\\.`),
      );
      expect(output).toMatch(
        new RegExp(
          `${ns}/${String(inputs["name"])}: phase InProgress; progressing: Source not locked source is offline ` +
            `but 1 pods using PVCs \\[${vm}-rootdisk\\]; held by pod ${held}: stop or delete it`,
        ),
      );
      expect(error.message).toMatch(/failed: snapshot deadline exceeded/);
      expect(error.message).toMatch(
        new RegExp(
          `Held by pod ${held}\\. Fix: stop the workload that runs pod "${pod}" or delete it\\. ` +
            `To delete: kubectl delete pod ${pod} -n ${ns}`,
        ),
      );
      expect(error.id).toBeUndefined();
      await nothingLeft(a, ns);
    } finally {
      await a.core.deleteNamespacedPod({ name: pod, namespace: ns, gracePeriodSeconds: 0 });
    }
  });

  it("excludes a volume without a VolumeSnapshotClass, reported from snapshotVolumes on every version", async () => {
    const { ns, vm } = await withVm({
      disks: { rootdisk: "csi-snap", scratch: PLAIN_SC, cloudinit: "cloudinit" },
    });
    const created = await host.call("create", await check({ namespace: ns, vmName: vm }));
    expect(created.outs).toMatchObject({
      includedVolumes: ["rootdisk"],
      excludedVolumes: ["scratch", "cloudinit"],
      readyToUse: true,
    });
    expect(created.outs.indications).toEqual(
      behaviour.partialSnapshotIndication
        ? ["GuestAgent", "Online", "PartialSnapshot"]
        : ["GuestAgent", "Online"],
    );
    expect(host.output.join("\n")).toMatch(
      /- scratch: No VolumeSnapshotClass: Volume snapshots are not configured for this StorageClass \[plain-nfs\] \[scratch\]/,
    );
    await deleteAndExpectClean(ns, created.id, { ...created.outs, __provider: host.providerText });
  });

  it("refuses a VM with no eligible volume before creating anything", async () => {
    const { ns, vm } = await withVm({ disks: { data: PLAIN_SC, cloudinit: "cloudinit" } });
    const error = await host.fail("create", await check({ namespace: ns, vmName: vm }));
    expect(error.message).toMatch(/no volume of VM t\d+\/db-1 can be snapshotted/);
    expect(error.message).toMatch(
      /- cloudinit: Snapshot is not supported for this volumeSource type \[cloudinit\]/,
    );
    await nothingLeft(a, ns);
  });

  it("fails naming the namespace and VM when the VM is missing", async () => {
    const { ns } = await withVm();
    const error = await host.fail("create", await check({ namespace: ns, vmName: "nope" }));
    expect(error.message).toMatch(new RegExp(`VirtualMachine ${ns}/nope not found \\(404\\)`));
    await nothingLeft(a, ns);
  });
});

describe("failures against KubeVirt", () => {
  it("records a snapshot Failed by its deadline as a partial failure; the next diff replaces it", async () => {
    const { ns, vm } = await withVm({ annotations: { "sim.kvsnap.io/volume-snapshot-delay-ms": "60000" } });
    const inputs = await check({ namespace: ns, vmName: vm, failureDeadline: "4s" });
    const error = await host.fail("create", inputs);
    expect(error.id).toBe(`${ns}/${String(inputs["name"])}`);
    expect(error.reasons).toEqual([error.message]);
    expect(error.properties).toMatchObject({
      phase: "Failed",
      readyToUse: false,
      __provider: host.providerText,
    });
    expect(error.message).toMatch(/failed: snapshot deadline exceeded/);
    const diff = await host.call("diff", error.id, error.properties, inputs);
    expect(diff).toMatchObject({ changes: true, replaces: ["phase"] });
    const live = await eventually(
      () => listIn(a, ns, "snapshot.kubevirt.io", "v1beta1", "virtualmachinesnapshots"),
      (items) =>
        items[0]?.status?.conditions?.some(
          (c: any) => c.type === "Failure" && c.reason === "snapshot deadline exceeded",
        ),
      "Failure condition",
    );
    expect(live).toHaveLength(1);
    // KubeVirt deletes the content (and so its VolumeSnapshots) of a Failed snapshot and unlocks the VM.
    await eventually(
      () => leftovers(a, ns),
      (l) => l.contents.length === 0 && l.volumeSnapshots.length === 0,
      "content cleanup",
    );
    await deleteAndExpectClean(ns, error.id!, error.properties!);
  });

  it("keeps retrying a failing freeze until the deadline and says why (SELinux hint)", async () => {
    const { ns, vm } = await withVm({
      annotations: { "sim.kvsnap.io/freeze-error": "command Freeze failed: Permission denied (SELinux)" },
    });
    const error = await host.fail(
      "create",
      await check({ namespace: ns, vmName: vm, failureDeadline: "4s", onFailure: "delete" }),
    );
    expect(error.message).toContain(
      `KubeVirt error: ${freezeErrorText(vm, "Internal error occurred: command Freeze failed: Permission denied (SELinux)")}`,
    );
    expect(error.message).toMatch(/SELinux often denies qemu-ga/);
    expect(error.id).toBeUndefined();
    await nothingLeft(a, ns);
    expect((await getVmi(a, ns, vm)).status.fsFreezeStatus).toBeUndefined();
  });

  it("reports a snapshot whose freeze did not hold as crash-consistent, in this version's own word", async () => {
    const transient = await withVm({
      annotations: {
        "sim.kvsnap.io/freeze-error": "fsfreeze: Permission denied",
        "sim.kvsnap.io/freeze-failures": "1",
      },
    });
    const vss = await withVm({
      annotations: { "sim.kvsnap.io/thaw-error": "fsfreeze is limited up to 10 seconds" },
    });
    const results = [];
    for (const { ns, vm } of [transient, vss]) {
      const created = await host.call("create", await check({ namespace: ns, vmName: vm }));
      results.push(created.outs);
      await deleteAndExpectClean(ns, created.id, { ...created.outs, __provider: host.providerText });
    }
    const [afterRetry, afterVss] = results;
    // A failed first freeze: QuiesceFailed up to v1.8 (it stays after a later freeze works); v1.9 keeps no trace.
    expect(afterRetry).toMatchObject(
      behaviour.rawFreezeError
        ? { readyToUse: true, consistency: "frozen" }
        : {
            readyToUse: true,
            consistency: "crash-consistent",
            indications: expect.arrayContaining(["QuiesceFailed"]),
          },
    );
    // The VSS hold limit: QuiesceTimeout from v1.9; before, KubeVirt retries the thaw without a word.
    expect(afterVss).toMatchObject(
      behaviour.quiesceTimeout
        ? {
            readyToUse: true,
            consistency: "crash-consistent",
            indications: expect.arrayContaining(["QuiesceTimeout"]),
          }
        : { readyToUse: true, consistency: "frozen" },
    );
    const warnings = host.output.join("\n");
    if (!behaviour.rawFreezeError)
      expect(warnings).toMatch(/is crash-consistent: KubeVirt indicates QuiesceFailed/);
    if (behaviour.quiesceTimeout)
      expect(warnings).toMatch(/is crash-consistent: KubeVirt indicates QuiesceTimeout/);
  });

  it("deletes an InProgress snapshot: Deleting, then gone, the VM unlocked", async () => {
    const { ns, vm } = await withVm({ annotations: { "sim.kvsnap.io/volume-snapshot-delay-ms": "60000" } });
    const inputs = await check({ namespace: ns, vmName: vm, timeout: "3s" });
    const error = await host.fail("create", inputs);
    expect(error.reasons).toEqual([error.message]);
    expect(error.message).toMatch(/did not finish within 3s/);
    expect(error.properties).toMatchObject({ phase: "InProgress" });
    await host.call("delete", error.id, error.properties);
    expect(host.output.join("\n")).toMatch(
      /\(deleting\): phase Deleting; progressing: VM snapshot is deleting/,
    );
    await nothingLeft(a, ns);
    await eventually(
      () =>
        a.custom.getNamespacedCustomObject({
          group: "kubevirt.io",
          version: "v1",
          namespace: ns,
          plural: "virtualmachines",
          name: vm,
        }),
      (v: any) => !v.status?.snapshotInProgress && !(v.metadata.finalizers ?? []).length,
      "VM unlocked",
    );
  });

  it("leaves the content and its VolumeSnapshots with deletionPolicy Retain", async () => {
    const { ns, vm } = await withVm();
    const created = await host.call(
      "create",
      await check({ namespace: ns, vmName: vm, deletionPolicy: "Retain" }),
    );
    await host.call("delete", created.id, { ...created.outs, __provider: host.providerText });
    const left = await leftovers(a, ns);
    expect(left.snapshots).toEqual([]);
    expect(left.contents).toEqual([created.outs.contentName]);
    expect(left.volumeSnapshots).toHaveLength(1);
    expect(host.output.join("\n")).toMatch(
      /deletionPolicy Retain: the VirtualMachineSnapshotContent .* stay in the cluster/,
    );
  });

  it("makes a second snapshot of the same VM wait for the lock", async () => {
    // The CSI stand-in holds the first snapshot's volume for 5 s, so the VM stays locked while the second comes.
    const { ns, vm } = await withVm({ annotations: { "sim.kvsnap.io/volume-snapshot-delay-ms": "5000" } });
    const first = await check({ namespace: ns, vmName: vm, name: "first" });
    // Another resource (its own owner): one resource's create settles that resource's unfinished snapshots.
    const second = await check({
      namespace: ns,
      vmName: vm,
      name: "second",
      resourceName: "snap-2",
      owner: "itest/dev/snap-2",
    });
    const creatingFirst = host.call("create", first);
    await eventually(
      () => getVm(a, ns, vm),
      (v) => v.status?.snapshotInProgress === "first",
      "KubeVirt locked the VM for the first snapshot",
    );
    const [a1, a2] = await Promise.all([creatingFirst, host.call("create", second)]);
    expect(a1.outs.readyToUse && a2.outs.readyToUse).toBe(true);
    const output = host.output.join("\n");
    expect(output).toContain(`VM ${ns}/${vm} is locked by snapshot "first"; this one waits for the lock.`);
    expect(output).toMatch(/second: phase InProgress; progressing: Source not locked/);
    expect(Date.parse(a2.outs.creationTime)).toBeGreaterThanOrEqual(Date.parse(a1.outs.creationTime));
    await host.call("delete", a1.id, { ...a1.outs, __provider: host.providerText });
    await deleteAndExpectClean(ns, a2.id, { ...a2.outs, __provider: host.providerText });
  });

  it("explains the Snapshot feature gate when KubeVirt rejects creation", async () => {
    const { ns, vm } = await withVm();
    await ground.setSnapshotGate(false);
    try {
      // KubeVirt's webhook reads the KubeVirt CR through an informer: probe with dry runs until it rejects.
      await eventually(
        dryRunProbe(a, ns, "virtualmachinesnapshots", "VirtualMachineSnapshot", snapshotOf(vm)),
        (r) => /feature gate/.test(r),
        "gate off takes effect",
        20_000,
      );
      const error = await host.fail("create", inputsFor(ns, vm));
      expect(error.message).toMatch(
        /"snapshot feature gate not enabled"\. The Snapshot feature gate is off\. Fix:/,
      );
    } finally {
      await ground.setSnapshotGate(true);
      await eventually(
        dryRunProbe(a, ns, "virtualmachinesnapshots", "VirtualMachineSnapshot", snapshotOf(vm)),
        (r) => r === "allowed",
        "gate on again",
        20_000,
      );
    }
    await nothingLeft(a, ns);
  });
});

function inputsFor(ns: string, vm: string): Record<string, unknown> {
  return checkedInputs({
    namespace: ns,
    vmName: vm,
    name: "gated",
    autoNamed: false,
    resourceName: "gated",
    owner: "itest/dev/gated",
    __provider: host.providerText,
  });
}

/** The spec of a valid snapshot of `vm`. */
function snapshotOf(vm: string): Record<string, unknown> {
  return { source: { apiGroup: "kubevirt.io", kind: "VirtualMachine", name: vm } };
}
