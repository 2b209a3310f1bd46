/**
 * The main job: build or reuse the tools, start the test ground, create a demo VM, `pulumi up` the root
 * project (examples/basic) with a local backend, print the snapshot, destroy the stack, stop the ground.
 * Run with `npm run demo`.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import {
  admin,
  createNamespace,
  createStorage,
  createVm,
  leftovers,
  vmReady,
} from "../tests/ground/fixtures";
import {
  BINARY_ENV,
  KUBEVIRT_BINARY_ENV,
  kubevirtVersion,
  startGround,
  type Ground,
} from "../tests/ground/ground";

const REPO = resolve(__dirname, "..", "..");
let step = 0;

async function timed<T>(what: string, run: () => Promise<T> | T): Promise<T> {
  step++;
  process.stdout.write(`[${step}/7] ${what} ... `);
  const start = Date.now();
  const result = await run();
  console.log(`done in ${((Date.now() - start) / 1000).toFixed(1)} s`);
  return result;
}

function build(script: string, ...args: string[]): string {
  const out = execFileSync("bash", [join(REPO, script), ...args], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  return out.trim().split("\n").pop() ?? "";
}

function pulumi(bin: string, home: string, args: string[]): string {
  const env = {
    PATH: [bin, dirname(process.execPath), process.env["PATH"] ?? ""].join(":"),
    HOME: home,
    PULUMI_HOME: join(home, "pulumi-home"),
    PULUMI_BACKEND_URL: `file://${join(home, "state")}`,
    PULUMI_CONFIG_PASSPHRASE: "demo",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    KUBECONFIG: join(home, "no-kubeconfig"),
  };
  return execFileSync(join(bin, "pulumi"), ["--non-interactive", ...args], {
    cwd: REPO,
    env,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 64 * 1024 * 1024,
  });
}

function show(outputs: Record<string, unknown>): void {
  const rows: [string, unknown][] = [
    ["snapshot", outputs["snapshotName"]],
    ["phase", outputs["phase"]],
    ["readyToUse", outputs["readyToUse"]],
    ["guest agent connected", outputs["guestAgentConnected"]],
    ["indications", (outputs["indications"] as string[]).join(", ") || "(none)"],
    ["included volumes", (outputs["includedVolumes"] as string[]).join(", ") || "(none)"],
    ["excluded volumes", (outputs["excludedVolumes"] as string[]).join(", ") || "(none)"],
  ];
  console.log("\n  VMSnapshot before-upgrade");
  for (const [k, v] of rows) console.log(`    ${k.padEnd(22)} ${String(v)}`);
  console.log("");
}

async function main(): Promise<void> {
  const cluster = await timed("control plane (kube-apiserver + etcd): build or reuse", () =>
    build("tests/cluster/build.sh"),
  );
  process.env[BINARY_ENV] = cluster;
  process.env[KUBEVIRT_BINARY_ENV] = await timed(
    `KubeVirt ${kubevirtVersion()} controllers and webhooks: build or reuse`,
    () => build("tests/kubevirt/build.sh", kubevirtVersion()),
  );
  const bin = await timed("Pulumi CLI toolchain: build or reuse", () => build("tests/pulumi-tools/build.sh"));
  await timed("stand-ins: compile", () =>
    execFileSync(process.execPath, [
      join(REPO, "node_modules", "typescript", "bin", "tsc"),
      "-p",
      join(REPO, "tsconfig.tools.json"),
    ]),
  );
  const ground: Ground = await timed(
    "test ground: start the apiserver, KubeVirt's CRDs, controllers and webhooks, and the stand-ins",
    () => startGround(),
  );
  const home = mkdtempSync(join(tmpdir(), "kvsnap-demo-"));
  mkdirSync(join(home, "state"));
  try {
    const a = await admin(ground.adminKubeconfig);
    await timed("demo VM demo/demo-vm: create it with a disk on snapshot-capable storage", async () => {
      await createStorage(a);
      await createNamespace(a, "demo");
      await createVm(a, "demo", { name: "demo-vm" });
      await vmReady(a, "demo", "demo-vm");
    });
    // The root project runs examples/basic, which imports this package by name.
    const self = join(REPO, "node_modules", "pulumi-kubevirt-snapshot");
    if (!existsSync(self)) symlinkSync(REPO, self, "dir");
    const outputs = await timed("pulumi up on the root project (local file backend)", () => {
      pulumi(bin, home, ["stack", "init", "demo"]);
      pulumi(bin, home, [
        "config",
        "set",
        "--secret",
        "pulumi-kubevirt-snapshot:kubeconfig",
        "--",
        readFileSync(ground.adminKubeconfig, "utf8"),
      ]);
      pulumi(bin, home, ["config", "set", "namespace", "demo"]);
      pulumi(bin, home, ["config", "set", "vmName", "demo-vm"]);
      pulumi(bin, home, ["up", "--yes"]);
      return JSON.parse(pulumi(bin, home, ["stack", "output", "--json"])) as Record<string, unknown>;
    });
    show(outputs);
    await timed("pulumi destroy", () => pulumi(bin, home, ["destroy", "--yes", "--remove"]));
    const left = await leftovers(a, "demo");
    if (left.snapshots.length || left.contents.length || left.volumeSnapshots.length)
      throw new Error(`left behind: ${JSON.stringify(left)}`);
    if (outputs["readyToUse"] !== true) throw new Error("the snapshot was not readyToUse");
  } finally {
    await ground.stop();
    rmSync(home, { recursive: true, force: true });
    console.log("test ground stopped");
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
