/**
 * examples/restore with the real CLI: adopt a snapshot made outside Pulumi, then roll the VM back with
 * VMRestore. A running target under FailImmediate fails `pulumi up` with KubeVirt's reason and stays in
 * state with an init error; after the VM is stopped, the next `pulumi up` runs the restore again. Adopting
 * a snapshot another stack owns is refused and changes nothing.
 */
import { readFileSync } from "node:fs";
import {
  createNamespace,
  createReadySnapshot,
  createVm,
  getVm,
  listIn,
  mergePatch,
  vmReady,
  type Admin,
} from "../ground/fixtures";
import type { Ground } from "../ground/ground";
import { readyGround } from "../ground/suite";
import { createProject, exportedResources, type PulumiProject } from "./pulumi";

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

const RESTORE_TYPE = "pulumi-nodejs:dynamic/kubevirt-snapshot:VMRestore";
const FAIL_IMMEDIATE = "Restore target VMI must be powered off before restore operation";
const OWNER = "pulumi-kubevirt-snapshot.io/owner";
const snapshotsIn = (ns: string) =>
  listIn(a, ns, "snapshot.kubevirt.io", "v1beta1", "virtualmachinesnapshots");
const restoresIn = (ns: string) => listIn(a, ns, "snapshot.kubevirt.io", "v1beta1", "virtualmachinerestores");

async function setRunStrategy(ns: string, runStrategy: string): Promise<void> {
  await mergePatch(a, {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachine",
    metadata: { name: "db-1", namespace: ns },
    spec: { runStrategy },
  });
}

async function project(ns: string, config: Record<string, string>) {
  const p = await createProject("restore", kubeconfig, { namespace: ns, vmName: "db-1", ...config });
  projects.push(p);
  return p;
}

it("adopts a hand-made snapshot and restores a stopped VM from it; destroy leaves the VM", async () => {
  await createNamespace(a, "rb1");
  await createVm(a, "rb1", { name: "db-1", running: false });
  await vmReady(a, "rb1", "db-1", false);
  await createReadySnapshot(a, "rb1", "known-good-1", "db-1");
  const p = await project("rb1", { snapshotName: "known-good-1" });
  const up = await p.ok(["up", "--yes"]);
  expect(up.stdout).toContain(
    "[known-good] adopted VirtualMachineSnapshot rb1/known-good-1 (phase Succeeded)",
  );
  const out = JSON.parse((await p.ok(["stack", "output", "--json"])).stdout) as Record<string, any>;
  expect(out).toMatchObject({ restoredFrom: "known-good-1", complete: true });
  expect(out["restoredVolumes"]).toEqual([
    expect.objectContaining({
      volumeName: "rootdisk",
      persistentVolumeClaim: expect.stringMatching(/^restore-.*-rootdisk$/),
    }),
  ]);
  const vm = await getVm(a, "rb1", "db-1");
  expect(vm.spec.template.spec.volumes[0].persistentVolumeClaim.claimName).toBe(
    out["restoredVolumes"][0].persistentVolumeClaim,
  );
  expect((await snapshotsIn("rb1"))[0].metadata.annotations[OWNER]).toMatch(/\/dev\/known-good$/);

  await p.ok(["preview", "--expect-no-changes"]); // a completed restore is not run again
  await p.ok(["destroy", "--yes"]);
  expect(await restoresIn("rb1")).toEqual([]);
  expect(await snapshotsIn("rb1")).toEqual([]);
  expect((await getVm(a, "rb1", "db-1")).metadata.name).toBe("db-1");
});

it("fails fast on a running VM under FailImmediate with KubeVirt's reason, and restores after the VM is stopped", async () => {
  await createNamespace(a, "rb2");
  await createVm(a, "rb2", { name: "db-1" });
  await vmReady(a, "rb2", "db-1");
  await createReadySnapshot(a, "rb2", "known-good-2", "db-1");
  const p = await project("rb2", { snapshotName: "known-good-2" });
  const failed = await p.run(["up", "--yes"]);
  expect(failed.code).not.toBe(0);
  const text = failed.stdout + failed.stderr;
  expect(text).toContain(`failed: ${FAIL_IMMEDIATE}.`);
  expect(text).toContain("Fix: stop it (virtctl stop db-1 -n rb2)");
  const resources = (await exportedResources(p)).deployment.resources ?? [];
  const restore = resources.find((r) => r["type"] === RESTORE_TYPE);
  expect(restore!["initErrors"]).toEqual([expect.stringContaining(FAIL_IMMEDIATE)]);
  expect(restore!["outputs"]).toMatchObject({ complete: false, failure: FAIL_IMMEDIATE });
  const failedName = restore!["outputs"]["restoreName"] as string;

  await setRunStrategy("rb2", "Halted");
  await vmReady(a, "rb2", "db-1", false);
  await p.ok(["up", "--yes"]);
  const out = JSON.parse((await p.ok(["stack", "output", "--json"])).stdout) as Record<string, any>;
  expect(out).toMatchObject({ complete: true });
  const names = (await restoresIn("rb2")).map((r: any) => r.metadata.name);
  expect(names).toHaveLength(1);
  expect(names).not.toContain(failedName);
  await p.ok(["destroy", "--yes"]);
});

it("refuses to adopt a snapshot another stack owns, and changes nothing", async () => {
  await createNamespace(a, "rb3");
  await createVm(a, "rb3", { name: "db-1", running: false });
  await vmReady(a, "rb3", "db-1", false);
  await createReadySnapshot(a, "rb3", "theirs", "db-1");
  await mergePatch(a, {
    apiVersion: "snapshot.kubevirt.io/v1beta1",
    kind: "VirtualMachineSnapshot",
    metadata: {
      name: "theirs",
      namespace: "rb3",
      labels: { "app.kubernetes.io/managed-by": "pulumi-kubevirt-snapshot" },
      annotations: { [OWNER]: "infra/prod/nightly" },
    },
  });
  const p = await project("rb3", { snapshotName: "theirs" });
  const refused = await p.run(["up", "--yes"]);
  expect(refused.code).not.toBe(0);
  expect(refused.stdout + refused.stderr).toContain(
    'it belongs to another Pulumi resource ("infra/prod/nightly")',
  );
  expect(await restoresIn("rb3")).toEqual([]);
  const [after] = await snapshotsIn("rb3");
  expect(after.metadata.annotations[OWNER]).toBe("infra/prod/nightly");
  expect(after.metadata.labels[`pulumi-kubevirt-snapshot.io/owner-hash`]).toBeUndefined();
  await p.ok(["destroy", "--yes"]);
});
