/**
 * Jest global setup of the end-to-end suite: the ground's (control plane + simulator), the Pulumi CLI
 * toolchain and the kubernetes plugin (for examples/pre-change), each built or reused, with the time it took
 * printed.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import groundSetup from "../ground/global-setup";
import { KUBERNETES_PLUGIN_ENV } from "./kubernetes-plugin";
import { PULUMI_BIN_ENV, REPO } from "./pulumi";

/** Builds or reuses pulumi-resource-kubernetes (a cold build takes 10-17 min) unless its env var names one. */
function kubernetesPlugin(): void {
  const preset = process.env[KUBERNETES_PLUGIN_ENV];
  const start = Date.now();
  const bin =
    preset ??
    execFileSync("bash", [join(REPO, "tests", "pulumi-tools", "kubernetes-plugin", "build.sh")], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
      env: { ...process.env, NODE: process.execPath },
    })
      .trim()
      .split("\n")
      .pop();
  if (!bin) throw new Error("tests/pulumi-tools/kubernetes-plugin/build.sh printed no bin dir");
  process.env[KUBERNETES_PLUGIN_ENV] = bin;
  console.log(
    `\n[e2e] kubernetes plugin (tests/pulumi-tools/kubernetes-plugin/build.sh): ${((Date.now() - start) / 1000).toFixed(1)} s${preset ? " (preset)" : ""}`,
  );
}

export default function globalSetup(): void {
  groundSetup();
  const preset = process.env[PULUMI_BIN_ENV];
  const start = Date.now();
  const bin =
    preset ??
    execFileSync("bash", [join(REPO, "tests", "pulumi-tools", "build.sh")], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    })
      .trim()
      .split("\n")
      .pop();
  if (!bin) throw new Error("tests/pulumi-tools/build.sh printed no bin dir");
  process.env[PULUMI_BIN_ENV] = bin;
  console.log(
    `\n[e2e] Pulumi CLI toolchain (tests/pulumi-tools/build.sh): ${((Date.now() - start) / 1000).toFixed(1)} s${preset ? " (preset)" : ""}`,
  );
  kubernetesPlugin();
}
