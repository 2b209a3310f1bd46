/**
 * Runtime entry of the provider, loaded by package name (`pulumi-kubevirt-snapshot/provider`) from the
 * tiny provider object Pulumi stores in state. Fixes here reach existing stacks without touching state.
 */
import type * as pulumi from "@pulumi/pulumi";
import { setTimeout as sleep } from "node:timers/promises";
import { CONFIG_CONTEXT, CONFIG_KUBECONFIG, DEFAULT_GRACE_MS } from "./core/constants";
import type { ProviderDeps } from "./core/deps";
import type { RestoreCluster } from "./kube/cluster";
import { connectCluster, type ClusterSettings } from "./kube/connect";
import { randomSuffix } from "./core/naming";
import { startEngineWatch } from "./host/start";
import { createVmRestoreProvider } from "./restore/provider";
import { createVmSnapshotProvider } from "./snapshot/provider";

export type { ProviderDeps } from "./core/deps";
export type { ClusterSettings } from "./kube/connect";
export { createVmSnapshotProvider } from "./snapshot/provider";
export { createVmRestoreProvider } from "./restore/provider";

/** Reads the provider settings from the stack config the host passes to `configure()`. */
export function settingsFromConfig(
  config: { get(key: string): string | undefined } | undefined,
): ClusterSettings {
  // The host's Config throws when the engine sent no configuration at all; treat that as "nothing set".
  const get = (key: string): string | undefined => {
    try {
      return config?.get(key) || undefined;
    } catch {
      return undefined;
    }
  };
  return { kubeconfig: get(CONFIG_KUBECONFIG), context: get(CONFIG_CONTEXT) };
}

/** The production I/O for a provider with these settings. */
export function productionDeps(settings: ClusterSettings): ProviderDeps<RestoreCluster> {
  return {
    connect: (context) => connectCluster(settings, context),
    log: { info: (line) => console.log(line), warn: (line) => console.warn(line) },
    now: Date.now,
    timer: (ms) => AbortSignal.timeout(Math.max(0, Math.min(ms, 2 ** 31 - 1))),
    delay: (ms, signal) => sleep(ms, undefined, { signal }),
    suffix: randomSuffix,
    graceMs: DEFAULT_GRACE_MS,
    progressIntervalMs: 2000,
  };
}

/** A provider as the serialized provider installs it (everything but `configure`). */
export type LoadedProvider = Required<Omit<pulumi.dynamic.ResourceProvider, "configure">>;

const loaded = new Map<string, LoadedProvider>();

/** One provider per kind and distinct settings in a process (so connections and caches are shared). */
function memo(
  kind: string,
  settings: ClusterSettings | undefined,
  make: (deps: ProviderDeps<RestoreCluster>) => LoadedProvider,
): LoadedProvider {
  startEngineWatch();
  const key = `${kind}:${JSON.stringify(settings ?? {})}`;
  let provider = loaded.get(key);
  if (!provider) {
    provider = make(productionDeps(settings ?? {}));
    loaded.set(key, provider);
  }
  return provider;
}

/** The `VMSnapshot` provider for these settings. */
export function load(settings: ClusterSettings | undefined): LoadedProvider {
  return memo("VMSnapshot", settings, createVmSnapshotProvider);
}

/** The `VMRestore` provider for these settings. */
export function loadRestore(settings: ClusterSettings | undefined): LoadedProvider {
  return memo("VMRestore", settings, createVmRestoreProvider);
}
