/**
 * What the demo and the playground share: build or reuse the tools (control plane, KubeVirt's controllers,
 * the Pulumi CLI), start the test ground, and create the demo VMs on snapshot-capable storage. Each step is
 * announced and timed through the caller's `step` function.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import {
  admin,
  createNamespace,
  createStorage,
  createVm,
  vmReady,
  type Admin,
} from "../tests/ground/fixtures";
import {
  BINARY_ENV,
  KUBEVIRT_BINARY_ENV,
  kubevirtVersion,
  REPO,
  startGround,
  type Ground,
} from "../tests/ground/ground";

/** Announces a step, runs it, and says how long it took. */
export type Step = <T>(what: string, run: () => Promise<T> | T) => Promise<T>;

/** A started ground with the demo VMs, and the Pulumi CLI's bin directory. */
export interface DemoGround {
  ground: Ground;
  admin: Admin;
  pulumiBin: string;
}

/** Namespace of the demo VMs. */
export const DEMO_NAMESPACE = "demo";
/** A running VM (online snapshots) and a stopped one (offline snapshots), both in {@link DEMO_NAMESPACE}. */
export const DEMO_VMS = { running: "demo-vm", stopped: "stopped-vm" } as const;

/** Numbered, timed steps: `[n/total] what ... done in x s`. */
export function stepper(total: number): Step {
  let n = 0;
  return async (what, run) => {
    n++;
    console.log(`[${n}/${total}] ${what} ...`);
    const start = Date.now();
    const result = await run();
    console.log(`[${n}/${total}] done in ${((Date.now() - start) / 1000).toFixed(1)} s`);
    return result;
  };
}

/** Runs a build script of this repository and returns the last line it printed (the built path). */
function build(script: string, ...args: string[]): string {
  const out = execFileSync("bash", [join(REPO, script), ...args], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  return out.trim().split("\n").pop() ?? "";
}

/** The steps {@link startDemoGround} takes (for the caller's step count). */
export const DEMO_GROUND_STEPS = 5;

/** Builds or reuses the tools, starts the ground and creates the demo VMs ({@link DEMO_GROUND_STEPS} steps). */
export async function startDemoGround(step: Step): Promise<DemoGround> {
  process.env[BINARY_ENV] = await step("control plane (kube-apiserver + etcd): build or reuse", () =>
    build("tests/cluster/build.sh"),
  );
  process.env[KUBEVIRT_BINARY_ENV] = await step(
    `KubeVirt ${kubevirtVersion()} controllers and webhooks: build or reuse`,
    () => build("tests/kubevirt/build.sh", kubevirtVersion()),
  );
  const pulumiBin = await step("Pulumi CLI toolchain: build or reuse", () =>
    build("tests/pulumi-tools/build.sh"),
  );
  const ground = await step(
    "test ground: start the apiserver, KubeVirt's CRDs, controllers and webhooks, and the stand-ins",
    () => startGround(),
  );
  try {
    const a = await admin(ground.adminKubeconfig);
    await step(
      `demo VMs ${DEMO_NAMESPACE}/${DEMO_VMS.running} (running) and ${DEMO_NAMESPACE}/${DEMO_VMS.stopped} (stopped), disks on snapshot-capable storage`,
      async () => {
        await createStorage(a);
        await createNamespace(a, DEMO_NAMESPACE);
        await createVm(a, DEMO_NAMESPACE, { name: DEMO_VMS.running });
        await createVm(a, DEMO_NAMESPACE, { name: DEMO_VMS.stopped, running: false });
        await vmReady(a, DEMO_NAMESPACE, DEMO_VMS.running);
        await vmReady(a, DEMO_NAMESPACE, DEMO_VMS.stopped, false);
      },
    );
    return { ground, admin: a, pulumiBin };
  } catch (e) {
    await ground.stop();
    throw e;
  }
}
