/** Opens the production cluster: resolve the kubeconfig, select the context, build the client. Cached. */
import type * as k8s from "@kubernetes/client-node" with { "resolution-mode": "import" };
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { ProviderError } from "../core/errors";
import type { RestoreCluster } from "./cluster";
import { clientNodeCluster, loadClientNode } from "./client-node-cluster";
import { chooseKubeconfigSource, type KubeconfigSource } from "./kubeconfig";
import { sharingConnections } from "./shared-connections";

/** Provider-level settings from stack config (received through `configure()`, never stored in state). */
export interface ClusterSettings {
  kubeconfig?: string | undefined;
  context?: string | undefined;
}

const clusters = new Map<string, Promise<RestoreCluster>>();

function loadKubeConfig(lib: typeof k8s, source: KubeconfigSource): k8s.KubeConfig {
  const kc = new lib.KubeConfig();
  if (source.kind === "inline") kc.loadFromString(source.text);
  else if (source.kind === "in-cluster") kc.loadFromCluster();
  else {
    const [first, ...rest] = source.paths;
    kc.loadFromFile(first ?? "");
    for (const path of rest) {
      const more = new lib.KubeConfig();
      more.loadFromFile(path);
      kc.mergeConfig(more, true);
    }
  }
  return kc;
}

/** Applies the context choice, failing with the list of known contexts when it does not exist. */
export function selectContext(
  kc: Pick<k8s.KubeConfig, "getContexts" | "getContextObject" | "setCurrentContext" | "getCurrentContext">,
  context: string | undefined,
  origin: string,
): void {
  if (context) {
    if (!kc.getContextObject(context)) {
      const known = kc.getContexts().map((c) => c.name);
      throw new ProviderError(
        `kubeconfig context "${context}" not found in ${origin}; it has: ${known.join(", ") || "(none)"}. ` +
          "Fix: set the context input or stack config pulumi-kubevirt-snapshot:context to one of them.",
      );
    }
    kc.setCurrentContext(context);
  } else if (!kc.getCurrentContext()) {
    throw new ProviderError(
      `the kubeconfig from ${origin} has no current-context. Fix: set the context input or pulumi-kubevirt-snapshot:context.`,
    );
  }
}

async function open(source: KubeconfigSource, context: string | undefined): Promise<RestoreCluster> {
  const lib = await loadClientNode();
  const kc = loadKubeConfig(lib, source);
  selectContext(kc, context, source.origin);
  return clientNodeCluster(lib, sharingConnections(kc));
}

/** Returns the cluster for these settings and context, opening it once per process. */
export function connectCluster(
  settings: ClusterSettings,
  inputContext: string | undefined,
): Promise<RestoreCluster> {
  const source = chooseKubeconfigSource({
    configKubeconfig: settings.kubeconfig,
    env: process.env,
    homedir: homedir(),
    exists: existsSync,
  });
  const context = inputContext ?? settings.context;
  const key = JSON.stringify([source, context ?? ""]);
  let cluster = clusters.get(key);
  if (!cluster) {
    cluster = open(source, context);
    clusters.set(key, cluster);
    cluster.catch(() => clusters.delete(key));
  }
  return cluster;
}
