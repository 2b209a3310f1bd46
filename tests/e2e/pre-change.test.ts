/**
 * examples/pre-change with the real CLI and the real kubernetes plugin (`@pulumi/kubernetes` 4.24.1 with the
 * plugin built from the Go module proxy, installed as 4.24.1): a VM and its disk managed with
 * `@pulumi/kubernetes`, snapshotted before every change to it. The first `pulumi up` creates everything in one
 * step (the snapshot is skipped: the VM does not exist yet); a change of the VM takes a new snapshot that is
 * ready before the VM is updated, and the old snapshot goes after (the order read from the cluster's own write
 * revisions); a change whose snapshot is held unready (the ground's `hold-ready` scenario) stops the update and
 * the VM keeps its spec; the next `pulumi up` once it can become ready finishes the change; destroy leaves
 * nothing. The trigger holds an Output (the disk's generated name), built with `pulumi.jsonStringify`.
 */
import { readFileSync } from "node:fs";
import { SNAPSHOT_SC, getVm, listIn, mergePatch, nothingLeft, vmReady, type Admin } from "../ground/fixtures";
import type { Ground } from "../ground/ground";
import { readyGround } from "../ground/suite";
import { firstRevision, startTimeline, type Timeline, type TimelineEvent } from "./cluster-timeline";
import { installKubernetesPlugin, kubernetesPlugin, sdkPluginVersion } from "./kubernetes-plugin";
import { createProject, exportedResources, type PulumiProject, type RunResult } from "./pulumi";

const NS = "pre1";
const VM = "app-vm";
const SNAPSHOT_TYPE = "pulumi-nodejs:dynamic/kubevirt-snapshot:VMSnapshot";
const HOLD_READY = "sim.kvsnap.io/hold-ready";
const VMS = { group: "kubevirt.io", version: "v1", plural: "virtualmachines" };
const SNAPSHOTS = { group: "snapshot.kubevirt.io", version: "v1beta1", plural: "virtualmachinesnapshots" };

let ground: Ground;
let a: Admin;
let p: PulumiProject;
let pluginVersion: string;

beforeAll(async () => {
  ({ ground, a } = await readyGround());
  const kubeconfig = readFileSync(ground.adminKubeconfig, "utf8");
  await a.core.createNamespace({ body: { metadata: { name: NS } } });
  p = await createProject("pre-change", kubeconfig, {
    namespace: NS,
    vmName: VM,
    storageClass: SNAPSHOT_SC,
    diskSize: "1Gi",
  });
  await p.ok(["config", "set", "--secret", "kubernetes:kubeconfig", "--", kubeconfig]);
  pluginVersion = sdkPluginVersion("pre-change");
  await installKubernetesPlugin(p, pluginVersion);
});
afterAll(async () => {
  p?.remove();
  await ground?.stop();
});

const snapshotsNow = () => listIn(a, NS, SNAPSHOTS.group, SNAPSHOTS.version, SNAPSHOTS.plural);

async function outputs(): Promise<Record<string, any>> {
  return JSON.parse((await p.ok(["stack", "output", "--json"])).stdout) as Record<string, any>;
}

/**
 * The warnings of a run: every "warning:" line, except the one known plugin-version warning (the plugin
 * reports the release its module builds with plus the commit, 4.24.0-<commit>, while the SDK asks for 4.24.1;
 * tests/pulumi-tools/README.md), which must be there exactly as expected.
 */
function otherWarnings(run: RunResult): string[] {
  const text = run.stdout + run.stderr;
  const { reportedVersion } = kubernetesPlugin();
  const known =
    `warning: resource plugin kubernetes is expected to have version >=${pluginVersion}, but has ` +
    `${reportedVersion}; the wrong version may be on your path, or this may be a bug in the plugin`;
  return text
    .split("\n")
    .map((line) => line.trimEnd())
    .filter((line) => /warning:/i.test(line) && !line.endsWith(known));
}

/**
 * The write revisions that tell the order of a change: the new snapshot's creation and readiness, the VM's
 * update (its generation passing `generation`), and the first deletion of the old snapshots (undefined unless
 * every one of them was deleted).
 */
interface ChangeOrder {
  created: bigint | undefined;
  ready: bigint | undefined;
  vmUpdated: bigint | undefined;
  oldDeleting: bigint | undefined;
}

function changeOrder(
  events: TimelineEvent[],
  names: { fresh: string; olds?: string[] },
  generation: number,
): ChangeOrder {
  const snap = (name: string) => (e: TimelineEvent) => e.plural === SNAPSHOTS.plural && e.name === name;
  const deleting = (name: string) =>
    firstRevision(
      events,
      (e) => snap(name)(e) && (e.type === "DELETED" || Boolean(e.object.metadata.deletionTimestamp)),
    );
  const olds = (names.olds ?? []).map(deleting);
  const seen = olds.filter((r): r is bigint => r !== undefined);
  const oldDeleting =
    seen.length > 0 && seen.length === olds.length ? seen.reduce((min, r) => (r < min ? r : min)) : undefined;
  return {
    created: firstRevision(events, (e) => snap(names.fresh)(e) && e.type === "ADDED"),
    ready: firstRevision(events, (e) => snap(names.fresh)(e) && e.object.status?.readyToUse === true),
    vmUpdated: firstRevision(
      events,
      (e) => e.plural === VMS.plural && e.name === VM && Number(e.object.metadata.generation) > generation,
    ),
    oldDeleting,
  };
}

/** The events as one line each, for a failure message. */
function showEvents(events: TimelineEvent[]): string {
  return events
    .map(
      (e) =>
        `${e.revision} ${e.type} ${e.plural}/${e.name} gen=${String(e.object.metadata?.generation)} ` +
        `ready=${String(e.object.status?.readyToUse)} deleting=${Boolean(e.object.metadata?.deletionTimestamp)}`,
    )
    .join("\n");
}

/**
 * Fails, with the events and the run's output, unless the writes named by `keys` were all seen and happened in
 * that order (strictly increasing revisions).
 */
function expectOrder(
  order: ChangeOrder,
  keys: (keyof ChangeOrder)[],
  run: RunResult,
  events: TimelineEvent[],
): void {
  const revisions = keys.map((key) => order[key]);
  const ascending = revisions.every((r, i) => {
    const before = i === 0 ? -1n : revisions[i - 1];
    return r !== undefined && before !== undefined && before < r;
  });
  if (ascending) return;
  const told = keys.map((key) => `${key}=${String(order[key])}`).join(" ");
  throw new Error(
    `expected the writes ${keys.join(" < ")}, saw ${told}\nevents:\n${showEvents(events)}\n` +
      `${run.stdout}\n${run.stderr}`,
  );
}

/** Runs `pulumi up` with the VM and snapshot watches recording; returns the run and what they saw. */
async function upWatched(): Promise<{ run: RunResult; events: TimelineEvent[] }> {
  const timeline: Timeline = await startTimeline(a, NS, [VMS, SNAPSHOTS]);
  const run = await p.run(["up", "--yes"]);
  const events = await timeline.stop();
  expect(events.filter((e) => e.type === "ENDED")).toEqual([]);
  return { run, events };
}

const failed = (run: RunResult) => `pulumi up exited ${run.code}\n${run.stdout}\n${run.stderr}`;

describe("examples/pre-change with the real kubernetes plugin", () => {
  it("first up creates the disk and the VM in one step; the snapshot is skipped (no VM yet)", async () => {
    const up = await p.ok(["up", "--yes"]);
    expect(up.stdout).toContain(
      `[pre-change] VirtualMachine ${NS}/${VM} does not exist, so no snapshot was taken (whenVmMissing is "skip")`,
    );
    expect(otherWarnings(up)).toEqual([]);
    expect(up.stdout + up.stderr).toContain(`but has ${kubernetesPlugin().reportedVersion}`);
    const out = await outputs();
    expect(out).toMatchObject({ snapshotSkipped: true, snapshotName: "", snapshotReady: false });
    expect(out["diskName"]).toMatch(new RegExp(`^${VM}-rootdisk-[a-z0-9]{8}$`));
    expect(await snapshotsNow()).toEqual([]);
    const vm = await getVm(a, NS, VM);
    expect(vm.metadata.uid).toBe(out["vmUid"]);
    expect(vm.spec.template.spec.domain.cpu.cores).toBe(2);

    // The trigger is the VM's spec with the disk's generated name resolved (pulumi.jsonStringify of an
    // Output), the same spec the kubernetes plugin sent.
    const resources = (await exportedResources(p)).deployment.resources ?? [];
    const snapshot = resources.find((r) => r["type"] === SNAPSHOT_TYPE)!;
    const trigger = JSON.parse(snapshot["inputs"]["triggers"][0] as string);
    expect(trigger.template.spec.volumes[0].persistentVolumeClaim.claimName).toBe(out["diskName"]);
    expect(trigger).toEqual({
      runStrategy: vm.spec.runStrategy,
      template: { spec: { domain: vm.spec.template.spec.domain, volumes: vm.spec.template.spec.volumes } },
    });
    expect(snapshot["outputs"]).toMatchObject({ skipped: true, whenVmMissing: "skip" });

    // A skipped snapshot stays skipped until the VM changes.
    await vmReady(a, NS, VM);
    await p.ok(["preview", "--expect-no-changes"]);
  });

  let firstSnapshot = "";

  it("a change of cores takes a new snapshot, ready before the VM is updated", async () => {
    const generation = Number((await getVm(a, NS, VM)).metadata.generation);
    await p.ok(["config", "set", "cores", "4"]);
    const { run, events } = await upWatched();
    if (run.code !== 0) throw new Error(failed(run));
    expect(otherWarnings(run)).toEqual([]);
    const out = await outputs();
    expect(out).toMatchObject({ snapshotSkipped: false, snapshotReady: true });
    firstSnapshot = out["snapshotName"] as string;
    const order = changeOrder(events, { fresh: firstSnapshot }, generation);
    expectOrder(order, ["created", "ready", "vmUpdated"], run, events);
    expect((await getVm(a, NS, VM)).spec.template.spec.domain.cpu.cores).toBe(4);
    expect((await snapshotsNow()).map((s) => s.metadata.name)).toEqual([firstSnapshot]);
    await vmReady(a, NS, VM);
  });

  let secondSnapshot = "";

  it("a change of memory takes the next snapshot before the VM update; the old snapshot goes after", async () => {
    const generation = Number((await getVm(a, NS, VM)).metadata.generation);
    await p.ok(["config", "set", "memory", "3Gi"]);
    const { run, events } = await upWatched();
    if (run.code !== 0) throw new Error(failed(run));
    const out = await outputs();
    secondSnapshot = out["snapshotName"] as string;
    expect(secondSnapshot).not.toBe(firstSnapshot);
    const order = changeOrder(events, { fresh: secondSnapshot, olds: [firstSnapshot] }, generation);
    expectOrder(order, ["created", "ready", "vmUpdated", "oldDeleting"], run, events);
    expect((await getVm(a, NS, VM)).spec.template.spec.domain.memory.guest).toBe("3Gi");
    expect((await snapshotsNow()).map((s) => s.metadata.name)).toEqual([secondSnapshot]);
    await vmReady(a, NS, VM);
  });

  let heldSnapshot = "";

  it("a change whose snapshot cannot become ready stops the VM update; the VM keeps its spec", async () => {
    await mergePatch(a, {
      apiVersion: "kubevirt.io/v1",
      kind: "VirtualMachine",
      metadata: { name: VM, namespace: NS, annotations: { [HOLD_READY]: "true" } },
    });
    const before = await getVm(a, NS, VM);
    await p.ok(["config", "set", "cores", "6"]);
    await p.ok(["config", "set", "snapshotTimeout", "15s"]);
    const { run, events } = await upWatched();
    expect(run.code).not.toBe(0);
    const text = run.stdout + run.stderr;
    const held = new RegExp(
      `VirtualMachineSnapshot ${NS}/(pre-change-[a-z0-9]{7}) of VM ${VM} did not finish within 15s ` +
        "\\(phase Succeeded, readyToUse false\\)",
    ).exec(text);
    expect(held).not.toBeNull();
    heldSnapshot = held![1]!;
    // The snapshot was taken and held at "cut, not ready"; the VM was never written.
    // The snapshot of the VM as it still is stays too.
    const live = await snapshotsNow();
    expect(live.find((s) => s.metadata.name === heldSnapshot)?.status).toMatchObject({
      phase: "Succeeded",
      readyToUse: false,
    });
    expect(live.find((s) => s.metadata.name === secondSnapshot)?.status).toMatchObject({ readyToUse: true });
    const after = await getVm(a, NS, VM);
    expect(after.metadata.generation).toBe(before.metadata.generation);
    expect(after.spec).toEqual(before.spec);
    expect(after.spec.template.spec.domain.cpu.cores).toBe(4);
    expect(
      events.filter(
        (e) => e.plural === VMS.plural && e.object.metadata?.generation !== before.metadata.generation,
      ),
    ).toEqual([]);
    expect(text).not.toMatch(new RegExp(`kubernetes:kubevirt.io/v1:VirtualMachine\\s+${VM}\\s+updated`));
  });

  it("once the snapshot can become ready, the next up takes a new one and finishes the change", async () => {
    await mergePatch(a, {
      apiVersion: "kubevirt.io/v1",
      kind: "VirtualMachine",
      metadata: { name: VM, namespace: NS, annotations: { [HOLD_READY]: null } },
    });
    await p.ok(["config", "rm", "snapshotTimeout"]);
    const generation = Number((await getVm(a, NS, VM)).metadata.generation);
    const { run, events } = await upWatched();
    if (run.code !== 0) throw new Error(failed(run));
    const out = await outputs();
    const fresh = out["snapshotName"] as string;
    expect([secondSnapshot, heldSnapshot]).not.toContain(fresh);
    // The snapshot taken before the stopped change and the held one both go, after the VM update.
    const order = changeOrder(events, { fresh, olds: [secondSnapshot, heldSnapshot] }, generation);
    expectOrder(order, ["created", "ready", "vmUpdated", "oldDeleting"], run, events);
    expect((await getVm(a, NS, VM)).spec.template.spec.domain.cpu.cores).toBe(6);
    expect((await snapshotsNow()).map((s) => s.metadata.name)).toEqual([fresh]);
  });

  it("destroy leaves nothing: no snapshot, content or VolumeSnapshot, no VM, no disk", async () => {
    const out = await outputs();
    await p.ok(["destroy", "--yes"]);
    await nothingLeft(a, NS);
    await expect(getVm(a, NS, VM)).rejects.toMatchObject({ code: 404 });
    const pvcs = await a.core.listNamespacedPersistentVolumeClaim({ namespace: NS });
    expect(pvcs.items.map((c) => c.metadata?.name)).not.toContain(out["diskName"]);
    expect((await exportedResources(p)).deployment.resources ?? []).toEqual([]);
  });
});
