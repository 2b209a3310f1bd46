/**
 * The stand-ins' own tests (tests/standins): each thing KubeVirt's controllers call outside themselves,
 * asserted through the real apiserver as those controllers would see it. Also that the ground runs
 * KubeVirt's own controllers and webhooks for the version asked.
 */
import { request } from "node:https";
import {
  createNamespace,
  createVm,
  eventually,
  getPvc,
  getVm,
  getVmi,
  listIn,
  mergePatch,
  vmReady,
  type Admin,
  type VmSpec,
} from "../ground/fixtures";
import { kubevirtVersion, type Ground } from "../ground/ground";
import { readyGround } from "../ground/suite";

let ground: Ground;
let a: Admin;
let n = 0;

beforeAll(async () => {
  ({ ground, a } = await readyGround());
});
afterAll(async () => ground?.stop());

async function setup(spec: Partial<VmSpec> = {}): Promise<string> {
  const ns = `st${++n}`;
  await createNamespace(a, ns);
  await createVm(a, ns, { name: "vm", ...spec });
  await vmReady(a, ns, "vm", spec.running !== false);
  return ns;
}

/** PUT to a subresources.kubevirt.io path through the apiserver (the aggregation layer), as KubeVirt's client does. */
async function put(path: string, body?: unknown): Promise<{ code: number; message: string }> {
  const url = new URL(`${a.kc.getCurrentCluster()?.server ?? ""}/apis/subresources.kubevirt.io/v1/${path}`);
  const options: Record<string, unknown> = { method: "PUT", headers: { "Content-Type": "application/json" } };
  await a.kc.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    const req = request(url, options, (res) => {
      let text = "";
      res.on("data", (d: Buffer) => (text += d.toString()));
      res.on("end", () => {
        const parsed = text ? (JSON.parse(text) as { message?: string }) : {};
        resolve({ code: res.statusCode ?? 0, message: parsed.message ?? "" });
      });
    });
    req.on("error", reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const vmi = (ns: string, verb: string) => `namespaces/${ns}/virtualmachineinstances/vm/${verb}`;
const frozen = (ns: string) =>
  getVmi(a, ns, "vm").then((v) => v?.status?.fsFreezeStatus as string | undefined);

describe("KubeVirt's own code on the ground", () => {
  it("runs KubeVirt's snapshot and restore controllers for the version asked", () => {
    expect(ground.kubevirtVersion).toBe(kubevirtVersion());
    expect(ground.log.join("\n")).toContain(`STARTING KubeVirt ${kubevirtVersion()} snapshot controller`);
  });

  it("serves KubeVirt's snapshot webhook: a snapshot of a non-VM kind is denied with its message", async () => {
    const ns = `st${++n}`;
    await createNamespace(a, ns);
    const denial = await a.custom
      .createNamespacedCustomObject({
        group: "snapshot.kubevirt.io",
        version: "v1beta1",
        namespace: ns,
        plural: "virtualmachinesnapshots",
        body: {
          apiVersion: "snapshot.kubevirt.io/v1beta1",
          kind: "VirtualMachineSnapshot",
          metadata: { name: "bad" },
          spec: { source: { apiGroup: "kubevirt.io", kind: "Pod", name: "x" } },
        },
      })
      .then(
        () => "allowed",
        (e: unknown) => (JSON.parse(String((e as { body?: unknown }).body)) as { message: string }).message,
      );
    expect(denial).toMatch(
      /admission webhook "virtualmachinesnapshot-validator\.snapshot\.kubevirt\.io" denied/,
    );
    expect(denial).toMatch(/invalid kind/);
  });
});

describe("VM runtime stand-in", () => {
  it("runs a VMI from the run strategy with the start revision KubeVirt's snapshot controller reads", async () => {
    const ns = await setup();
    const vm = await getVm(a, ns, "vm");
    const live = await getVmi(a, ns, "vm");
    expect(live.status.phase).toBe("Running");
    const revision = `revision-start-vm-${vm.metadata.uid as string}-${String(vm.metadata.generation)}`;
    expect(live.status.virtualMachineRevisionName).toBe(revision);
    const cr = await a.objects.read({
      apiVersion: "apps/v1",
      kind: "ControllerRevision",
      metadata: { name: revision, namespace: ns },
    });
    expect((cr as unknown as { data: { spec: unknown } }).data.spec).toEqual(vm.spec);
    expect(live.status.conditions.map((c: { type: string }) => c.type)).toEqual(["Ready", "AgentConnected"]);
    await mergePatch(a, {
      apiVersion: "kubevirt.io/v1",
      kind: "VirtualMachine",
      metadata: { name: "vm", namespace: ns },
      spec: { runStrategy: "Halted" },
    });
    await eventually(
      () => getVmi(a, ns, "vm"),
      (v) => v === undefined,
      "VMI stopped",
    );
    await vmReady(a, ns, "vm", false);
  });

  it("mirrors the scenario: no agent, a paused guest", async () => {
    const ns = await setup({
      annotations: { "sim.kvsnap.io/agent": "disconnected", "sim.kvsnap.io/paused": "true" },
    });
    const live = await getVmi(a, ns, "vm");
    expect(live.status.conditions.map((c: { type: string }) => c.type)).toEqual(["Ready", "Paused"]);
    expect((await getVm(a, ns, "vm")).status.printableStatus).toBe("Paused");
  });

  it("garbage-collects a deleted VM's VMI and revisions", async () => {
    const ns = await setup();
    await a.custom.deleteNamespacedCustomObject({
      group: "kubevirt.io",
      version: "v1",
      namespace: ns,
      plural: "virtualmachines",
      name: "vm",
    });
    await eventually(
      () => getVmi(a, ns, "vm"),
      (v) => v === undefined,
      "VMI collected",
    );
    const revisions = await eventually(
      () => a.objects.list("apps/v1", "ControllerRevision", ns),
      (list) => list.items.length === 0,
      "revisions collected",
    );
    expect(revisions.items).toEqual([]);
  });

  it("lets a VM and a PVC deleted in the foreground go once their dependents are gone", async () => {
    const ns = await setup();
    const vmi = await getVmi(a, ns, "vm");
    expect(vmi).toBeDefined();
    await a.custom.deleteNamespacedCustomObject({
      group: "kubevirt.io",
      version: "v1",
      namespace: ns,
      plural: "virtualmachines",
      name: "vm",
      propagationPolicy: "Foreground",
    });
    await eventually(
      () =>
        getVm(a, ns, "vm").then(
          () => false,
          (e: unknown) => (e as { code?: number }).code === 404,
        ),
      (gone) => gone,
      "VM gone",
    );
    expect(await getVmi(a, ns, "vm")).toBeUndefined();
    await a.core.deleteNamespacedPersistentVolumeClaim({
      namespace: ns,
      name: "vm-rootdisk",
      propagationPolicy: "Foreground",
    });
    await eventually(
      () => getPvc(a, ns, "vm-rootdisk"),
      (pvc) => pvc === undefined,
      "PVC gone",
    );
  });
});

describe("virt-api stand-in (subresources.kubevirt.io/v1 behind an APIService)", () => {
  it("freezes and thaws a guest with a connected agent; a freeze without unfreeze thaws at unfreezeTimeout", async () => {
    const ns = await setup();
    expect(await put(vmi(ns, "freeze"), { unfreezeTimeout: "5m0s" })).toEqual({ code: 200, message: "" });
    expect(
      await eventually(
        () => frozen(ns),
        (f) => f === "frozen",
        "frozen",
      ),
    ).toBe("frozen");
    expect((await put(vmi(ns, "unfreeze"))).code).toBe(200);
    await eventually(
      () => frozen(ns),
      (f) => f === undefined,
      "thawed",
    );
    await put(vmi(ns, "freeze"), { unfreezeTimeout: "1.5s" });
    await eventually(
      () => frozen(ns),
      (f) => f === "frozen",
      "frozen again",
    );
    await eventually(
      () => frozen(ns),
      (f) => f === undefined,
      "thawed by the safety timeout",
      10_000,
    );
  });

  it("answers 409 for a VMI that is not running and 404 for none", async () => {
    const ns = await setup({ running: false });
    expect(await put(vmi(ns, "freeze"), { unfreezeTimeout: "5m0s" })).toMatchObject({ code: 404 });
    // A VMI without a VM of its name: the VM runtime stand-in leaves it alone, so it stays not running (one
    // named after the stopped VM would be deleted by that stand-in, racing the PUT).
    await a.custom.createNamespacedCustomObject({
      group: "kubevirt.io",
      version: "v1",
      namespace: ns,
      plural: "virtualmachineinstances",
      body: {
        apiVersion: "kubevirt.io/v1",
        kind: "VirtualMachineInstance",
        metadata: { name: "lone" },
        spec: { domain: { devices: {} } },
      },
    });
    expect(
      await put(`namespaces/${ns}/virtualmachineinstances/lone/freeze`, { unfreezeTimeout: "5m0s" }),
    ).toEqual({
      code: 409,
      message:
        'Operation cannot be fulfilled on virtualmachineinstance.kubevirt.io "lone": VM is not running',
    });
  });

  it("plays the guest's freeze denial and the Windows VSS thaw limit once per freeze", async () => {
    const denied = await setup({
      annotations: { "sim.kvsnap.io/freeze-error": "avc: denied { ioctl } for comm=qemu-ga" },
    });
    expect(await put(vmi(denied, "freeze"), { unfreezeTimeout: "5m0s" })).toEqual({
      code: 500,
      message: "Internal error occurred: avc: denied { ioctl } for comm=qemu-ga",
    });
    expect(await frozen(denied)).toBeUndefined();
    const vss = await setup({
      annotations: { "sim.kvsnap.io/thaw-error": "fsfreeze is limited up to 10 seconds" },
    });
    await put(vmi(vss, "freeze"), { unfreezeTimeout: "5m0s" });
    expect(await put(vmi(vss, "unfreeze"))).toMatchObject({
      code: 500,
      message: expect.stringContaining("fsfreeze is limited"),
    });
    expect((await put(vmi(vss, "unfreeze"))).code).toBe(200);
    await put(vmi(vss, "freeze"), { unfreezeTimeout: "5m0s" });
    expect((await put(vmi(vss, "unfreeze"))).code).toBe(500);
  });

  it("stops a VM: run strategy Halted, the VMI goes", async () => {
    const ns = await setup();
    expect((await put(`namespaces/${ns}/virtualmachines/vm/stop`, {})).code).toBe(200);
    expect((await getVm(a, ns, "vm")).spec.runStrategy).toBe("Halted");
    await eventually(
      () => getVmi(a, ns, "vm"),
      (v) => v === undefined,
      "VMI stopped",
    );
  });
});

describe("storage stand-ins", () => {
  it("binds PVCs, unless the scenario keeps one Pending", async () => {
    const ns = await setup({
      pvcAnnotations: { "sim.kvsnap.io/unbound": "true" },
      disks: { rootdisk: "csi-snap" },
    });
    await new Promise((r) => setTimeout(r, 500));
    expect((await getPvc(a, ns, "vm-rootdisk"))?.status?.phase ?? "Pending").toBe("Pending");
    const bound = await setup();
    await eventually(
      () => getPvc(a, bound, "vm-rootdisk"),
      (p) => p?.status?.phase === "Bound",
      "PVC bound",
    );
  });

  it("cuts a VolumeSnapshot (creationTime, then readyToUse) or reports the scenario's error", async () => {
    const volumeSnapshot = async (ns: string) => {
      await a.custom.createNamespacedCustomObject({
        group: "snapshot.storage.k8s.io",
        version: "v1",
        namespace: ns,
        plural: "volumesnapshots",
        body: {
          apiVersion: "snapshot.storage.k8s.io/v1",
          kind: "VolumeSnapshot",
          metadata: { name: "vs", labels: { "snapshot.kubevirt.io/source-vm-name": "vm" } },
          spec: {
            source: { persistentVolumeClaimName: "vm-rootdisk" },
            volumeSnapshotClassName: "csi-snapclass",
          },
        },
      });
      return () => listIn(a, ns, "snapshot.storage.k8s.io", "v1", "volumesnapshots").then((l) => l[0]);
    };
    const ok = await volumeSnapshot(await setup());
    const ready = await eventually(ok, (vs) => vs?.status?.readyToUse === true, "VolumeSnapshot ready");
    expect(ready.status.creationTime).toEqual(expect.any(String));
    const failing = await volumeSnapshot(
      await setup({ annotations: { "sim.kvsnap.io/volume-snapshot-error": "quota exceeded" } }),
    );
    const failed = await eventually(failing, (vs) => vs?.status?.error !== undefined, "VolumeSnapshot error");
    expect(failed.status).toMatchObject({ readyToUse: false, error: { message: "quota exceeded" } });
  });
});
