/**
 * `pulumi up` for real: the CLI built here runs examples/basic against the test ground (kube-apiserver +
 * KubeVirt simulator) with a file backend, the kubeconfig given as secret stack config.
 */
import { cpSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createNamespace,
  createVm,
  listIn,
  mergePatch,
  nothingLeft,
  vmReady,
  type Admin,
} from "../ground/fixtures";
import type { Ground } from "../ground/ground";
import { readyGround } from "../ground/suite";
import { createProject, exportedResources, REPO, type PulumiProject } from "./pulumi";

let ground: Ground;
let a: Admin;
let kubeconfig: string;
let n = 0;
const projects: PulumiProject[] = [];

beforeAll(async () => {
  ({ ground, a } = await readyGround());
  kubeconfig = readFileSync(ground.adminKubeconfig, "utf8");
});
afterAll(async () => {
  for (const p of projects) p.remove();
  await ground?.stop();
});

const SNAPSHOT_TYPE = "pulumi-nodejs:dynamic/kubevirt-snapshot:VMSnapshot";
const snapshots = (ns: string) => listIn(a, ns, "snapshot.kubevirt.io", "v1beta1", "virtualmachinesnapshots");

async function project(annotations: Record<string, string> = {}, config: Record<string, string> = {}) {
  const ns = `e${++n}`;
  await createNamespace(a, ns);
  await createVm(a, ns, { name: "db-1", annotations });
  await vmReady(a, ns, "db-1");
  const p = await createProject("basic", kubeconfig, { namespace: ns, vmName: "db-1", ...config });
  projects.push(p);
  return { ns, p };
}

async function outputs(p: PulumiProject): Promise<Record<string, any>> {
  return JSON.parse((await p.ok(["stack", "output", "--json"])).stdout) as Record<string, any>;
}

async function snapshotResources(p: PulumiProject) {
  return ((await exportedResources(p)).deployment.resources ?? []).filter((r) => r["type"] === SNAPSHOT_TYPE);
}

describe("pulumi up with examples/basic", () => {
  it("takes a readyToUse snapshot whose outputs match the cluster; no changes afterwards; destroy leaves nothing", async () => {
    const { ns, p } = await project();
    const up = await p.ok(["up", "--yes"]);
    expect(up.stdout).toMatch(
      /\[before-upgrade\] e\d+\/before-upgrade-[a-z0-9]{7}: phase Succeeded; .*readyToUse/,
    );
    const out = await outputs(p);
    expect(out).toMatchObject({
      phase: "Succeeded",
      readyToUse: true,
      guestAgentConnected: true,
      indications: ["GuestAgent", "Online"],
      includedVolumes: ["rootdisk"],
    });
    const [live] = await snapshots(ns);
    expect(live.metadata.name).toBe(out["snapshotName"]);
    expect(live.status).toMatchObject({ phase: "Succeeded", readyToUse: true });

    await p.ok(["preview", "--expect-no-changes"]);
    await p.ok(["up", "--yes", "--expect-no-changes"]);

    // Pulumi records the whole stack config as the inputs of the default pulumi-nodejs provider, so the
    // kubeconfig given as secret config is in state as ciphertext only: none of it in plain text, and
    // nothing of the cluster in the snapshot's own state.
    const exported = JSON.stringify(await exportedResources(p, false));
    const token = /token: (\S+)/.exec(kubeconfig)?.[1] ?? "no-token-found";
    expect(exported).not.toContain(token);
    expect(exported).not.toContain("certificate-authority-data");
    expect(exported).not.toContain(ground.url);
    const snapshotState = JSON.stringify(await snapshotResources(p));
    expect(snapshotState).not.toContain("certificate-authority-data");
    expect(snapshotState).not.toContain(token);
    for (const r of await snapshotResources(p)) {
      expect(Buffer.byteLength(String(r["inputs"]["__provider"]))).toBeLessThanOrEqual(1024);
      expect(Buffer.byteLength(String(r["outputs"]["__provider"]))).toBeLessThanOrEqual(1024);
    }

    await p.ok(["destroy", "--yes"]);
    await nothingLeft(a, ns);
    expect(await snapshotResources(p)).toEqual([]);
  });

  it("takes the new snapshot before deleting the old one when a trigger changes", async () => {
    const { ns, p } = await project({}, { trigger: "v1" });
    await p.ok(["up", "--yes"]);
    const old = (await outputs(p))["snapshotName"] as string;
    const seen = new Map<string, { first: number; last: number }>();
    const sampler = setInterval(() => {
      void snapshots(ns).then((items) => {
        const now = Date.now();
        for (const s of items) {
          const name = s.metadata.name as string;
          const entry = seen.get(name) ?? { first: now, last: now };
          entry.last = now;
          seen.set(name, entry);
        }
      });
    }, 100);
    await p.ok(["config", "set", "trigger", "v2"]);
    const up = await p.ok(["up", "--yes"]).finally(() => clearInterval(sampler));
    expect(up.stdout).toMatch(
      /\+\+\s*pulumi-nodejs:dynamic\/kubevirt-snapshot:VMSnapshot before-upgrade created replacement/,
    );
    const fresh = (await outputs(p))["snapshotName"] as string;
    expect(fresh).not.toBe(old);
    expect(seen.get(fresh)!.first).toBeLessThanOrEqual(seen.get(old)!.last); // both existed at once: created before the old one went
    expect((await snapshots(ns)).map((s) => s.metadata.name)).toEqual([fresh]);
    await p.ok(["destroy", "--yes"]);
  });

  it("drops a snapshot deleted out of band on refresh, and the next up recreates it", async () => {
    const { ns, p } = await project();
    await p.ok(["up", "--yes"]);
    const name = (await outputs(p))["snapshotName"] as string;
    await a.custom.deleteNamespacedCustomObject({
      group: "snapshot.kubevirt.io",
      version: "v1beta1",
      plural: "virtualmachinesnapshots",
      namespace: ns,
      name,
    });
    await p.ok(["refresh", "--yes"]);
    expect(await snapshotResources(p)).toEqual([]);
    await p.ok(["up", "--yes"]);
    expect(await outputs(p)).toMatchObject({ readyToUse: true });
    await p.ok(["destroy", "--yes"]);
    await nothingLeft(a, ns);
  });

  it("reports a Failed snapshot, keeps it in state with an init error, and replaces it once the cause is gone", async () => {
    const { ns, p } = await project(
      { "sim.kvsnap.io/volume-snapshot-delay-ms": "600000" },
      { failureDeadline: "4s" },
    );
    const failed = await p.run(["up", "--yes"]);
    expect(failed.code).not.toBe(0);
    const text = failed.stdout + failed.stderr;
    expect(text).toMatch(
      new RegExp(
        `VirtualMachineSnapshot ${ns}/before-upgrade-[a-z0-9]{7} of VM db-1 failed: snapshot deadline exceeded`,
      ),
    );
    expect(text).toMatch(/the next `pulumi up` deletes it and takes a new snapshot/);
    const [resource] = await snapshotResources(p);
    expect(resource!["initErrors"]).toEqual([
      expect.stringMatching(/failed: snapshot deadline exceeded[\s\S]*the next `pulumi up` deletes it/),
    ]);
    expect(resource!["outputs"]).toMatchObject({ phase: "Failed" });
    const failedName = resource!["outputs"]["snapshotName"] as string;

    await mergePatch(a, {
      apiVersion: "kubevirt.io/v1",
      kind: "VirtualMachine",
      metadata: {
        name: "db-1",
        namespace: ns,
        annotations: { "sim.kvsnap.io/volume-snapshot-delay-ms": "100" },
      },
    });
    await p.ok(["config", "set", "failureDeadline", "5m"]);
    await p.ok(["up", "--yes"]);
    const out = await outputs(p);
    expect(out).toMatchObject({ phase: "Succeeded", readyToUse: true });
    const names = (await snapshots(ns)).map((s) => s.metadata.name);
    expect(names).toEqual([out["snapshotName"]]);
    expect(names).not.toContain(failedName);
    await p.ok(["destroy", "--yes"]);
  });

  it("with onFailure delete, fails and leaves nothing in the cluster or in state", async () => {
    const { ns, p } = await project(
      { "sim.kvsnap.io/volume-snapshot-delay-ms": "600000" },
      { failureDeadline: "4s", onFailure: "delete" },
    );
    const failed = await p.run(["up", "--yes"]);
    expect(failed.code).not.toBe(0);
    expect(failed.stdout + failed.stderr).toMatch(
      /onFailure is "delete": the snapshot was deleted and nothing is left behind/,
    );
    expect(await snapshotResources(p)).toEqual([]);
    await nothingLeft(a, ns);
  });

  it("upgrade: a stack made by the previous build is refreshed, updated and destroyed by the installed build", async () => {
    const { ns, p } = await project();
    const previous = mkdtempSync(join(tmpdir(), "kvsnap-previous-build-"));
    cpSync(join(REPO, "package.json"), join(previous, "package.json"));
    cpSync(join(REPO, "dist"), join(previous, "dist"), { recursive: true });
    symlinkSync(join(REPO, "node_modules"), join(previous, "node_modules"), "dir");
    const entry = join(previous, "dist", "provider", "index.js");
    writeFileSync(entry, `${readFileSync(entry, "utf8")}\nconsole.log("kvsnap-build: previous");\n`);
    p.usePackage(previous);
    const first = await p.ok(["up", "--yes"]);
    expect(first.stdout).toContain("kvsnap-build: previous");
    p.usePackage(REPO);
    for (const args of [
      ["refresh", "--yes"],
      ["config", "set", "trigger", "after-upgrade"],
      ["up", "--yes"],
      ["destroy", "--yes"],
    ]) {
      const result = await p.ok(args);
      expect(result.stdout).not.toContain("kvsnap-build: previous");
    }
    await nothingLeft(a, ns);
  });
});
