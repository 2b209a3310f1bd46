/**
 * The main job (`npm run demo`): build or reuse the tools, start the test ground with a demo VM, run the
 * flagship example (examples/basic, the root project's program) with the real Pulumi CLI and a local backend,
 * showing `pulumi up` as it runs, print the snapshot, destroy the stack, check that nothing is left, and stop
 * the ground. The program runs from its own directory (tests/support/project.ts), so nothing is written
 * into this repository.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { leftovers } from "../tests/ground/fixtures";
import { materializeProgram, pulumiEnv } from "../tests/support/project";
import { DEMO_GROUND_STEPS, DEMO_NAMESPACE, DEMO_VMS, startDemoGround, stepper } from "./demo-ground";

const step = stepper(DEMO_GROUND_STEPS + 3);

/** Runs the CLI in `dir`: `shown` streams its output to this terminal, otherwise stdout is returned. */
function pulumi(bin: string, dir: string, env: NodeJS.ProcessEnv, args: string[], shown = false): string {
  const options = { cwd: dir, env, maxBuffer: 64 * 1024 * 1024 };
  const argv = ["--non-interactive", ...args];
  if (shown) {
    execFileSync(join(bin, "pulumi"), argv, { ...options, stdio: "inherit" });
    return "";
  }
  return execFileSync(join(bin, "pulumi"), argv, {
    ...options,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
}

/** The summary of the snapshot the demo took, from the stack outputs. */
function show(outputs: Record<string, unknown>): void {
  const list = (key: string): string => (outputs[key] as string[] | undefined)?.join(", ") || "(none)";
  const rows: [string, unknown][] = [
    ["snapshot", outputs["snapshotName"]],
    ["phase", outputs["phase"]],
    ["readyToUse", outputs["readyToUse"]],
    ["consistency", outputs["consistency"]],
    ["guest agent connected", outputs["guestAgentConnected"]],
    ["indications", list("indications")],
    ["included volumes", list("includedVolumes")],
    ["excluded volumes", list("excludedVolumes")],
  ];
  console.log("\n  VMSnapshot before-upgrade");
  for (const [k, v] of rows) console.log(`    ${k.padEnd(22)} ${String(v)}`);
  console.log("");
}

async function main(): Promise<void> {
  const { ground, admin, pulumiBin } = await startDemoGround(step);
  const root = mkdtempSync(join(tmpdir(), "kvsnap-demo-"));
  try {
    const dir = join(root, "program");
    materializeProgram("basic", dir);
    const env = pulumiEnv(pulumiBin, root, "demo");
    const run = (args: string[], stream = false): string => pulumi(pulumiBin, dir, env, args, stream);
    const outputs = await step("pulumi up of examples/basic (local file backend)", () => {
      run(["stack", "init", "demo"]);
      run([
        "config",
        "set",
        "--secret",
        "pulumi-kubevirt-snapshot:kubeconfig",
        "--",
        readFileSync(ground.adminKubeconfig, "utf8"),
      ]);
      run(["config", "set", "namespace", DEMO_NAMESPACE]);
      run(["config", "set", "vmName", DEMO_VMS.running]);
      run(["up", "--yes"], true);
      return JSON.parse(run(["stack", "output", "--json"])) as Record<string, unknown>;
    });
    show(outputs);
    await step("pulumi destroy", () => run(["destroy", "--yes", "--remove"], true));
    await step("check that nothing is left: no snapshot, content or VolumeSnapshot", async () => {
      const left = await leftovers(admin, DEMO_NAMESPACE);
      if (left.snapshots.length || left.contents.length || left.volumeSnapshots.length)
        throw new Error(`left behind: ${JSON.stringify(left)}`);
    });
    if (outputs["readyToUse"] !== true) throw new Error("the snapshot was not readyToUse");
  } finally {
    await ground.stop();
    rmSync(root, { recursive: true, force: true });
    console.log("test ground stopped");
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
