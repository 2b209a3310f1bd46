/**
 * The real `pulumi-resource-kubernetes` for e2e programs that use `@pulumi/kubernetes`: built from the Go module
 * proxy by tests/pulumi-tools/kubernetes-plugin/build.sh (the e2e global setup builds or reuses it), installed
 * into a project's PULUMI_HOME under the version the program's `@pulumi/kubernetes` asks the engine for. The
 * pairing and why the plugin reports another version: tests/pulumi-tools/README.md, "kubernetes-plugin/".
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { PulumiProject } from "./pulumi";
import { REPO } from "./pulumi";

/** Where the global setup records the bin dir holding `pulumi-resource-kubernetes`. */
export const KUBERNETES_PLUGIN_ENV = "KVSNAP_KUBERNETES_PLUGIN_BIN";

/** The built plugin: its binary and the version it reports to the engine (`<sdk/v4 release>-<commit>`). */
export interface KubernetesPlugin {
  binary: string;
  reportedVersion: string;
}

/** The plugin the global setup built (its bin dir in {@link KUBERNETES_PLUGIN_ENV}). */
export function kubernetesPlugin(): KubernetesPlugin {
  const bin = process.env[KUBERNETES_PLUGIN_ENV];
  if (!bin)
    throw new Error(
      `${KUBERNETES_PLUGIN_ENV} is not set: run the e2e tests through jest (its global setup builds the plugin)`,
    );
  return {
    binary: join(bin, "pulumi-resource-kubernetes"),
    reportedVersion: readFileSync(join(dirname(bin), "version"), "utf8").trim(),
  };
}

/**
 * The plugin version the repository's `@pulumi/kubernetes` asks the engine for (its package.json
 * `pulumi.version`), which must be the exact version `examples/<example>` pins.
 */
export function sdkPluginVersion(example: string): string {
  const sdk = JSON.parse(
    readFileSync(join(REPO, "node_modules", "@pulumi", "kubernetes", "package.json"), "utf8"),
  ) as { version: string; pulumi?: { version?: string } };
  const pinned = (
    JSON.parse(readFileSync(join(REPO, "examples", example, "package.json"), "utf8")) as {
      dependencies?: Record<string, string>;
    }
  ).dependencies?.["@pulumi/kubernetes"];
  if (pinned !== sdk.version)
    throw new Error(
      `examples/${example} pins @pulumi/kubernetes ${String(pinned)} but node_modules has ${sdk.version}: run npm ci`,
    );
  return sdk.pulumi?.version ?? sdk.version;
}

/** Installs the built plugin into the project's PULUMI_HOME as `resource kubernetes <version>`. */
export async function installKubernetesPlugin(project: PulumiProject, version: string): Promise<void> {
  const { binary } = kubernetesPlugin();
  await project.ok(["plugin", "install", "resource", "kubernetes", version, "--file", binary]);
}
