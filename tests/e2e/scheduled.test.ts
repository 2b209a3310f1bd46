/**
 * examples/scheduled with the real CLI: the pre-change pipeline. The workflow file is documentation, so it is
 * checked to be valid YAML and to run exactly the commands these tests run; the tests then run those
 * commands as GitHub's runner does (`bash --noprofile --norc -eo pipefail`, one step after the other, the
 * first failure stopping the job) against the test ground.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { load } from "js-yaml";
import {
  createNamespace,
  createVm,
  eventually,
  listIn,
  nothingLeft,
  vmReady,
  type Admin,
} from "../ground/fixtures";
import type { Ground } from "../ground/ground";
import { readyGround } from "../ground/suite";
import { freezeErrorText } from "../ground/kubevirt-behaviour";
import { createProject, REPO, type PulumiProject } from "./pulumi";

const EXAMPLE = join(REPO, "examples", "scheduled");
const OWNER = "kubevirt-snapshot-scheduled/dev/pipeline";
const HISTORY_LABEL = "pulumi-kubevirt-snapshot.io/history";
const OWNER_ANNOTATION = "pulumi-kubevirt-snapshot.io/owner";
const MANAGED_BY = { "app.kubernetes.io/managed-by": "pulumi-kubevirt-snapshot" };

/** The workflow's run steps after `npm ci` (the tests link node_modules instead), in order. */
const PIPELINE = [
  'pulumi stack select "$STACK"',
  'if [ "$EVENT" = schedule ]; then trigger=$(date -u +%F); else trigger=$COMMIT; fi\npulumi config set trigger "$trigger"\n',
  "pulumi up --yes --refresh --skip-preview --non-interactive",
  "./gate.sh",
] as const;
const UP_STEP = 2;
const GATE_STEP = 3;

let ground: Ground;
let a: Admin;
let kubeconfig: string;
const projects: PulumiProject[] = [];

beforeAll(async () => {
  ({ ground, a } = await readyGround());
  kubeconfig = readFileSync(ground.adminKubeconfig, "utf8");
});
afterAll(async () => {
  for (const p of projects) p.remove();
  await ground?.stop();
});

interface StepRun {
  code: number;
  output: string;
}

/** The environment the Pulumi CLI gets in tests/e2e/pulumi.ts, plus the workflow's job env. */
function stepEnv(p: PulumiProject, jobEnv: { EVENT: string; COMMIT: string }): NodeJS.ProcessEnv {
  return { ...p.env, STACK: "dev", ...jobEnv };
}

function bash(p: PulumiProject, script: string, env: NodeJS.ProcessEnv): Promise<StepRun> {
  return new Promise((resolve) => {
    execFile(
      "bash",
      ["--noprofile", "--norc", "-eo", "pipefail", "-c", script],
      { cwd: p.dir, env, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, output: stdout + stderr }),
    );
  });
}

/**
 * Runs the pipeline's steps as the runner does: each in a fresh bash, stopping at the first failure. The
 * change (the deploy job that `needs` this one) runs only if every step passed.
 */
async function runPipeline(
  p: PulumiProject,
  jobEnv: { EVENT: string; COMMIT: string },
): Promise<{ steps: StepRun[]; changeRuns: boolean }> {
  const env = stepEnv(p, jobEnv);
  const steps: StepRun[] = [];
  for (const script of PIPELINE) {
    const step = await bash(p, script, env);
    steps.push(step);
    if (step.code !== 0) return { steps, changeRuns: false };
  }
  return { steps, changeRuns: true };
}

async function passingRun(p: PulumiProject, jobEnv: { EVENT: string; COMMIT: string }): Promise<StepRun[]> {
  const { steps, changeRuns } = await runPipeline(p, jobEnv);
  if (!changeRuns) {
    const failed = steps.at(-1)!;
    throw new Error(`pipeline step ${steps.length - 1} exited ${failed.code}:\n${failed.output}`);
  }
  return steps;
}

async function outputs(p: PulumiProject): Promise<Record<string, any>> {
  return JSON.parse((await p.ok(["stack", "output", "--json"])).stdout) as Record<string, any>;
}

const snapshots = (ns: string) => listIn(a, ns, "snapshot.kubevirt.io", "v1beta1", "virtualmachinesnapshots");

/** Every snapshot in the cluster that carries this example's owner annotation, by name. */
async function ownedAnywhere(): Promise<string[]> {
  const res = (await a.custom.listClusterCustomObject({
    group: "snapshot.kubevirt.io",
    version: "v1beta1",
    plural: "virtualmachinesnapshots",
  })) as { items: any[] };
  return res.items
    .filter((s) => s.metadata.annotations?.[OWNER_ANNOTATION] === OWNER)
    .map((s) => s.metadata.name as string)
    .sort();
}

const newestFirst = (x: any, y: any): number =>
  String(y.metadata.creationTimestamp).localeCompare(String(x.metadata.creationTimestamp)) ||
  String(y.metadata.name).localeCompare(String(x.metadata.name));

/**
 * Checks that the stack's outputs and the cluster agree: the current snapshot is `current` (readyToUse, no
 * history label), the history-labelled ones are exactly `history` (newest first) and are what `keptHistory`
 * says; every one carries the managed-by label and this stack's owner annotation.
 */
async function expectAgreement(ns: string, p: PulumiProject, current: string, history: string[]) {
  const out = await outputs(p);
  const items = await snapshots(ns);
  expect(out["snapshotName"]).toBe(current);
  expect(out).toMatchObject({ phase: "Succeeded", readyToUse: true });
  for (const s of items) {
    expect(s.metadata.labels).toMatchObject(MANAGED_BY);
    expect(s.metadata.annotations[OWNER_ANNOTATION]).toBe(OWNER);
  }
  const labelled = items.filter((s) => s.metadata.labels[HISTORY_LABEL] === "true").sort(newestFirst);
  const unlabelled = items.filter((s) => s.metadata.labels[HISTORY_LABEL] === undefined);
  expect(unlabelled.map((s) => [s.metadata.name, s.status.phase, s.status.readyToUse])).toEqual([
    [current, "Succeeded", true],
  ]);
  expect(labelled.map((s) => s.metadata.name)).toEqual(history);
  expect(out["keptHistory"]).toEqual(
    labelled.map((s) => ({
      name: s.metadata.name,
      creationTime: s.status.creationTime ?? "",
      readyToUse: s.status.readyToUse === true,
      phase: s.status.phase,
    })),
  );
  return out;
}

async function scheduledProject(
  ns: string,
  vmAnnotations: Record<string, string>,
  config: Record<string, string>,
) {
  await createNamespace(a, ns);
  await createVm(a, ns, { name: "db-1", annotations: vmAnnotations });
  await vmReady(a, ns, "db-1");
  const p = await createProject("scheduled", kubeconfig, { namespace: ns, vmName: "db-1", ...config });
  projects.push(p);
  return p;
}

const today = () => new Date().toISOString().slice(0, 10);

/** What the guest agent answers a freeze when SELinux stops it (virt-api wraps it as an internal error). */
const SELINUX_DENIAL = "fsfreeze: SELinux is preventing /usr/bin/qemu-ga from ioctl access";

/** Escapes a text for use inside a RegExp. */
function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Sets (or with null removes) the freeze-error scenario the virt-api stand-in plays for the VM. */
async function setFreezeError(ns: string, message: string | null): Promise<void> {
  await a.objects.patch(
    {
      apiVersion: "kubevirt.io/v1",
      kind: "VirtualMachine",
      metadata: { name: "db-1", namespace: ns, annotations: { "sim.kvsnap.io/freeze-error": message } },
    } as never,
    undefined,
    undefined,
    undefined,
    undefined,
    a.lib.PatchStrategy.MergePatch,
  );
}

/** Deletes the VolumeSnapshots behind a snapshot and waits until the cluster says it is not readyToUse. */
async function deleteVolumeSnapshotsOf(ns: string, name: string): Promise<void> {
  const snapshot = (await snapshots(ns)).find((s) => s.metadata.name === name);
  const content = snapshot.status.virtualMachineSnapshotContentName as string;
  const owned = (await listIn(a, ns, "snapshot.storage.k8s.io", "v1", "volumesnapshots")).filter((v) =>
    (v.metadata.ownerReferences ?? []).some((o: any) => o.name === content),
  );
  expect(owned).toHaveLength(1);
  for (const v of owned)
    await a.custom.deleteNamespacedCustomObject({
      group: "snapshot.storage.k8s.io",
      version: "v1",
      plural: "volumesnapshots",
      namespace: ns,
      name: v.metadata.name,
    });
  await eventually(
    () => snapshots(ns),
    (items) => items.some((s) => s.metadata.name === name && s.status.readyToUse === false),
    `snapshot ${ns}/${name} no longer readyToUse`,
  );
}

describe("examples/scheduled: the pre-change snapshot pipeline", () => {
  it("has a workflow that is valid YAML, runs nightly, on demand and from a deploy, and calls the pipeline the tests run", () => {
    const workflow = load(readFileSync(join(EXAMPLE, "github-workflow.yml"), "utf8")) as any;
    expect(Object.keys(workflow.on).sort()).toEqual(["schedule", "workflow_call", "workflow_dispatch"]);
    expect(workflow.on.schedule).toEqual([{ cron: "17 2 * * *" }]);
    expect(workflow.on.workflow_call.inputs.stack).toMatchObject({ type: "string", default: "prod" });
    expect(workflow.on.workflow_dispatch.inputs.stack).toMatchObject({ type: "string", default: "prod" });
    expect(Object.keys(workflow.jobs)).toEqual(["snapshot"]);
    const job = workflow.jobs.snapshot;
    expect(job.env).toMatchObject({
      STACK: "${{ inputs.stack || 'prod' }}",
      EVENT: "${{ github.event_name }}",
      COMMIT: "${{ github.sha }}",
    });
    const steps = job.steps as Record<string, any>[];
    expect(steps.filter((s) => s["uses"]).map((s) => [s["uses"], s["with"]])).toEqual([
      ["actions/checkout@v4", undefined],
      ["actions/setup-node@v4", { "node-version": 24 }],
      ["pulumi/actions@v6", { "pulumi-version": "3.276.0" }],
    ]);
    // Every run step runs in the job's shell, `bash` (GitHub: bash --noprofile --norc -eo pipefail; without
    // it, bash -e), as the tests run them.
    expect(job.defaults.run.shell).toBe("bash");
    expect(steps.filter((s) => s["shell"] !== undefined)).toEqual([]);
    expect(steps.filter((s) => s["run"] !== undefined).map((s) => s["run"])).toEqual(["npm ci", ...PIPELINE]);
    expect(PIPELINE[UP_STEP]).toMatch(/^pulumi up /);
    expect(PIPELINE[GATE_STEP]).toBe("./gate.sh");
  });

  it("takes a snapshot per new trigger, keeps the newest 2 as history (oldest pruned), gates on readyToUse, and destroy removes them all", async () => {
    const ns = "sched1";
    const p = await scheduledProject(ns, {}, { history: "2" });
    const taken: string[] = [];
    const expectRun = async (steps: StepRun[], trigger: string) => {
      const out = await outputs(p);
      expect((await p.ok(["config", "get", "trigger"])).stdout.trim()).toBe(trigger);
      expect(out["snapshotTrigger"]).toBe(trigger);
      expect(steps[GATE_STEP]!.output).toBe(
        `gate: snapshot ${ns}/${out["snapshotName"]} (trigger '${trigger}') is readyToUse: the change may go ahead.\n`,
      );
      return out["snapshotName"] as string;
    };

    // Nightly: the trigger is the date.
    const before = today();
    const nightly = await passingRun(p, { EVENT: "schedule", COMMIT: "0000000" });
    const date = (await p.ok(["config", "get", "trigger"])).stdout.trim();
    expect([before, today()]).toContain(date);
    taken.push(await expectRun(nightly, date));
    await expectAgreement(ns, p, taken[0]!, []);

    // A second nightly run the same day takes no new snapshot.
    const again = await passingRun(p, { EVENT: "schedule", COMMIT: "0000000" });
    expect(again[UP_STEP]!.output).toMatch(/Resources:\s+2 unchanged/);
    expect(await expectRun(again, date)).toBe(taken[0]);
    await expectAgreement(ns, p, taken[0]!, []);

    // Before each change (workflow_call from a deploy): the trigger is the commit.
    for (const commit of ["a1b2c3d", "b2c3d4e", "c3d4e5f"]) {
      const steps = await passingRun(p, { EVENT: "push", COMMIT: commit });
      expect(steps[UP_STEP]!.output).toMatch(/pipeline created replacement/);
      const name = await expectRun(steps, commit);
      expect(taken).not.toContain(name);
      taken.push(name);
      // History: the snapshots before this one, newest first, at most 2.
      await expectAgreement(ns, p, name, taken.slice(0, -1).reverse().slice(0, 2));
    }
    expect(taken).toHaveLength(4);
    expect((await outputs(p))["keptHistory"].map((h: any) => [h.phase, h.readyToUse])).toEqual([
      ["Succeeded", true],
      ["Succeeded", true],
    ]);
    expect((await snapshots(ns)).map((s) => s.metadata.name).sort()).toEqual(taken.slice(1).sort());

    await p.ok(["destroy", "--yes"]);
    expect(await ownedAnywhere()).toEqual([]);
    await nothingLeft(a, ns);
  }, 600_000);

  it("stops the pipeline before the change when the snapshot cannot become ready; a fixed rerun recovers, Failed history pruned first", async () => {
    const ns = "sched2";
    const p = await scheduledProject(ns, {}, { history: "2", failureDeadline: "10s" });
    await passingRun(p, { EVENT: "push", COMMIT: "good1" });
    const good1 = (await outputs(p))["snapshotName"] as string;
    await expectAgreement(ns, p, good1, []);

    // The guest agent cannot freeze (an SELinux denial): KubeVirt retries until failureDeadline, then Failed.
    await setFreezeError(ns, SELINUX_DENIAL);
    const bad = await runPipeline(p, { EVENT: "push", COMMIT: "bad1" });
    expect(bad.steps.map((s) => s.code)).toEqual([0, 0, 1]);
    expect(bad.changeRuns).toBe(false);
    const failedName = new RegExp(
      `VirtualMachineSnapshot ${ns}/(pipeline-[a-z0-9]{7}) of VM db-1 failed: snapshot deadline exceeded ` +
        `\\(KubeVirt error: ${escapeRegExp(freezeErrorText("db-1", `Internal error occurred: ${SELINUX_DENIAL}`))}\\)`,
    ).exec(bad.steps[UP_STEP]!.output)?.[1];
    expect(failedName).toMatch(/^pipeline-/);
    const phases = Object.fromEntries(
      (await snapshots(ns)).map((s) => [s.metadata.name, [s.status.phase, s.status.readyToUse]]),
    );
    // The last good snapshot is still there; the Failed one is kept for inspection.
    expect(phases).toEqual({ [good1]: ["Succeeded", true], [failedName!]: ["Failed", false] });

    // The stack outputs are those of the last finished run (readyToUse true): the gate, run on its own,
    // still stops, because they were not taken for this run's trigger.
    expect(await outputs(p)).toMatchObject({
      snapshotName: good1,
      readyToUse: true,
      snapshotTrigger: "good1",
    });
    const gate = await bash(p, PIPELINE[GATE_STEP], stepEnv(p, { EVENT: "push", COMMIT: "bad1" }));
    expect(gate).toEqual({
      code: 1,
      output:
        `gate: STOP: no snapshot was taken for trigger 'bad1' (the stack's snapshot is ${good1}, taken for 'good1'): ` +
        "the last pulumi up did not finish. Read its output, fix the cause and run the pipeline again; do not " +
        "make the change without a snapshot.\n",
    });

    // Fixed; the failed workflow run is re-run (same commit): the Failed snapshot is replaced.
    await setFreezeError(ns, null);
    await passingRun(p, { EVENT: "push", COMMIT: "bad1" });
    const rerun = (await outputs(p))["snapshotName"] as string;
    const afterRerun = await expectAgreement(ns, p, rerun, [failedName!, good1]);
    expect(afterRerun["keptHistory"].map((h: any) => [h.phase, h.readyToUse])).toEqual([
      ["Failed", false],
      ["Succeeded", true],
    ]);

    // The next change: history is over 2, and the Failed snapshot goes before the older good1.
    const next = await passingRun(p, { EVENT: "push", COMMIT: "good2" });
    expect(next[UP_STEP]!.output).toContain(
      `pruning history snapshot ${ns}/${failedName!} (phase Failed, keeping the newest 2).`,
    );
    const good2 = (await outputs(p))["snapshotName"] as string;
    await expectAgreement(ns, p, good2, [rerun, good1]);

    // A snapshot that stops being ready (its VolumeSnapshot deleted): a refresh that runs the program
    // updates the outputs and the gate stops; the next pipeline run for the same trigger replaces it.
    await deleteVolumeSnapshotsOf(ns, good2);
    await p.ok(["refresh", "--yes", "--run-program"]);
    expect(await outputs(p)).toMatchObject({
      snapshotName: good2,
      readyToUse: false,
      snapshotTrigger: "good2",
    });
    expect(await bash(p, PIPELINE[GATE_STEP], stepEnv(p, { EVENT: "push", COMMIT: "good2" }))).toEqual({
      code: 1,
      output:
        `gate: STOP: snapshot ${ns}/${good2} is not readyToUse (phase Succeeded), so it cannot be restored from. ` +
        `See 'kubectl get vmsnapshot -n ${ns} ${good2} -o yaml'; once the cause is fixed, run the pipeline again ` +
        "(its pulumi up replaces the snapshot). Do not make the change without a snapshot.\n",
    });
    const renewed = await passingRun(p, { EVENT: "push", COMMIT: "good2" });
    expect(renewed[UP_STEP]!.output).toContain(
      `pruning history snapshot ${ns}/${good1} (phase Succeeded, keeping the newest 2).`,
    );
    const replaced = (await outputs(p))["snapshotName"] as string;
    expect(replaced).not.toBe(good2);
    const last = await expectAgreement(ns, p, replaced, [good2, rerun]);
    expect(last["keptHistory"][0]).toMatchObject({ name: good2, phase: "Succeeded", readyToUse: false });

    await p.ok(["destroy", "--yes"]);
    expect(await ownedAnywhere()).toEqual([]);
    await nothingLeft(a, ns);
  }, 600_000);
});
