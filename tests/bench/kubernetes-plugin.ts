/**
 * pulumi-resource-kubernetes, as tests/pulumi-tools/kubernetes-plugin/build.sh leaves it in the cache. The
 * bench never builds it (a cold build takes 10–17 minutes and 4 GB); without a finished build the
 * CustomResource peer says why it is not available.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { startPluginProcess } from "./plugin-process";
import { providerClient, type ProviderClient } from "./provider-client";

/** A built plugin: the binary and the version it reports. */
export interface KubernetesPlugin {
  binary: string;
  version: string;
}

function cacheDir(): string {
  return join(
    process.env["KVSNAP_CACHE"] ?? join(homedir(), ".cache", "pulumi-kubevirt-snapshot"),
    "pulumi-kubernetes",
  );
}

/** The newest finished build in the cache, or why there is none. */
export function findKubernetesPlugin(): KubernetesPlugin | { missing: string } {
  const root = cacheDir();
  const builds = existsSync(root)
    ? readdirSync(root)
        .filter((key) => !key.startsWith(".") && existsSync(join(root, key, ".complete")))
        .map((key) => join(root, key))
        .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)
    : [];
  const dir = builds[0];
  if (!dir) {
    const building = existsSync(root) && readdirSync(root).some((name) => name.includes(".tmp."));
    return {
      missing: `no finished pulumi-resource-kubernetes build in ${root}${building ? " (a build is under way)" : ""}; run tests/pulumi-tools/kubernetes-plugin/build.sh`,
    };
  }
  const version = readFileSync(join(dir, "version"), "utf8").trim();
  return { binary: join(dir, "bin", "pulumi-resource-kubernetes"), version };
}

/** Starts the plugin and configures it with a kubeconfig (contents), as the engine does for a default provider. */
export async function startKubernetesPlugin(
  plugin: KubernetesPlugin,
  engineAddress: string,
  kubeconfig: string,
): Promise<ProviderClient> {
  const cwd = mkdtempSync(join(tmpdir(), "kvsnap-bench-k8s-"));
  const process_ = await startPluginProcess({
    command: plugin.binary,
    args: [engineAddress],
    cwd,
    env: { PATH: process.env["PATH"] ?? "", HOME: cwd, KUBECONFIG: join(cwd, "no-kubeconfig") },
  });
  const client = providerClient(process_);
  await client.configure({ "kubernetes:config:kubeconfig": kubeconfig });
  return {
    ...client,
    async close() {
      await client.close();
      rmSync(cwd, { recursive: true, force: true });
    },
  };
}
