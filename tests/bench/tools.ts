/**
 * The tools the bench runs, each built or reused by its cached build script: the control plane, KubeVirt's
 * controllers, the Pulumi CLI, and kubectl. The kubernetes plugin is only looked up (kubernetes-plugin.ts).
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { kubevirtVersion, REPO } from "../ground/ground";

/** Paths of the built tools. */
export interface Tools {
  cluster: string;
  kubevirt: string;
  /** The directory holding pulumi and its plugins. */
  pulumiBin: string;
  kubectl: string;
}

/** Runs a build script of this repository; its last stdout line is the built path. */
function build(script: string, ...args: string[]): string {
  const out = execFileSync("bash", [join(REPO, script), ...args], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  const path = out.trim().split("\n").pop();
  if (!path) throw new Error(`${script} printed no path`);
  return path;
}

/** Builds or reuses every tool. */
export function buildTools(): Tools {
  return {
    cluster: build("tests/cluster/build.sh"),
    kubevirt: build("tests/kubevirt/build.sh", kubevirtVersion()),
    pulumiBin: build("tests/pulumi-tools/build.sh"),
    kubectl: build("tests/bench/kubectl-build.sh"),
  };
}
