/**
 * `npm run playground`: the test ground with the demo VMs, and each example laid out as a ready Pulumi
 * project (stack `dev`, kubeconfig in secret config, namespace and VM set). Prints what to export and how to
 * run an example, then stays up until Ctrl-C (SIGINT) or SIGTERM, and stops only what it started.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { materializeProgram, pulumiEnv } from "../tests/support/project";
import { DEMO_GROUND_STEPS, DEMO_NAMESPACE, DEMO_VMS, startDemoGround, stepper } from "./demo-ground";

/** The examples laid out, with the stack config each needs on the demo VMs. */
const EXAMPLES: Record<string, Record<string, string>> = {
  basic: { namespace: DEMO_NAMESPACE, vmName: DEMO_VMS.running },
  offline: { namespace: DEMO_NAMESPACE, vmName: DEMO_VMS.stopped },
  scheduled: { namespace: DEMO_NAMESPACE, vmName: DEMO_VMS.running, trigger: "manual-1", history: "3" },
  restore: { namespace: DEMO_NAMESPACE, vmName: DEMO_VMS.stopped, snapshotName: "playground-snapshot" },
};

const step = stepper(DEMO_GROUND_STEPS + 1);

/** Shell lines that put a terminal on this playground (kubectl-free: the kubeconfig is a file). */
function exportLines(env: NodeJS.ProcessEnv, kubeconfig: string): string {
  const keys = [
    "PATH",
    "PULUMI_HOME",
    "PULUMI_BACKEND_URL",
    "PULUMI_CONFIG_PASSPHRASE",
    "PULUMI_SKIP_UPDATE_CHECK",
  ];
  const lines = keys.map((k) => `export ${k}='${env[k] ?? ""}'`);
  return [...lines, `export KUBECONFIG='${kubeconfig}'`].join("\n");
}

async function main(): Promise<void> {
  const { ground, pulumiBin } = await startDemoGround(step);
  const root = mkdtempSync(join(tmpdir(), "kvsnap-playground-"));
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    console.log("\nstopping the playground (only what it started) ...");
    await ground.stop();
    rmSync(root, { recursive: true, force: true });
    console.log("test ground stopped");
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
  try {
    const env = pulumiEnv(pulumiBin, root, "playground");
    const kubeconfig = join(root, "kubeconfig");
    writeFileSync(kubeconfig, readFileSync(ground.adminKubeconfig));
    await step("examples laid out as Pulumi projects (stack dev, config set)", () => {
      for (const [example, config] of Object.entries(EXAMPLES)) {
        const dir = join(root, example);
        materializeProgram(example, dir);
        const run = (args: string[]): string =>
          execFileSync(join(pulumiBin, "pulumi"), ["--non-interactive", ...args], {
            cwd: dir,
            env,
            encoding: "utf8",
          });
        run(["stack", "init", "dev"]);
        run([
          "config",
          "set",
          "--secret",
          "pulumi-kubevirt-snapshot:kubeconfig",
          "--",
          readFileSync(kubeconfig, "utf8"),
        ]);
        for (const [key, value] of Object.entries(config)) run(["config", "set", key, "--", value]);
      }
    });
    console.log(`
The playground is up (KubeVirt ${ground.kubevirtVersion ?? "?"}). In another terminal:

${exportLines(env, kubeconfig)}

  cd ${join(root, "basic")} && pulumi up          # snapshot ${DEMO_NAMESPACE}/${DEMO_VMS.running}; then pulumi destroy
  ls ${root}                                       # also: ${Object.keys(EXAMPLES)
    .filter((e) => e !== "basic")
    .join(", ")}

Every example has stack "dev" with the kubeconfig in secret config; change its config with pulumi config set.
The ground's scenario annotations (tests/cluster/README.md) change what the guest does, e.g.
  kubectl -n ${DEMO_NAMESPACE} annotate vm ${DEMO_VMS.running} sim.kvsnap.io/agent=disconnected --overwrite
(kubectl is not built here; the same works through any Kubernetes client with $KUBECONFIG).

Ctrl-C stops the playground.`);
  } catch (e) {
    await stop();
    throw e;
  }
  await new Promise(() => undefined);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
