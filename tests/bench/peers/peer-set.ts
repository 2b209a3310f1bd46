/**
 * The four waiters the latency and fail-fast phases compare, started once for both: this provider (through
 * Pulumi's dynamic-provider host), kubectl wait, pulumi-kubernetes' CustomResource (when the plugin is
 * built), and the plain watch that is the floor.
 */
import type { BenchContext } from "../bench-ground";
import { findKubernetesPlugin } from "../kubernetes-plugin";
import { customResourcePeer } from "./custom-resource-peer";
import { kubectlPeer } from "./kubectl-peer";
import { PEER_NAMES, type Peer } from "./peer";
import { providerPeer } from "./provider-peer";
import { watchPeer } from "./watch-peer";

/** The started peers, and the ones that could not run with the reason. */
export interface PeerSet {
  peers: Peer[];
  unavailable: Map<string, string>;
  close(): Promise<void>;
}

/** Starts every peer that can run here. */
export async function startPeers(ctx: BenchContext): Promise<PeerSet> {
  const { audit, a, engine, userKubeconfig } = ctx;
  const unavailable = new Map<string, string>();
  const peers: Peer[] = [await providerPeer(engine.address, userKubeconfig, audit)];
  peers.push(kubectlPeer(ctx.tools.kubectl, userKubeconfig, a, audit));
  const plugin = findKubernetesPlugin();
  if ("missing" in plugin) unavailable.set(PEER_NAMES.customResource, plugin.missing);
  else {
    try {
      peers.push(await customResourcePeer(plugin, engine.address, userKubeconfig, audit));
    } catch (error) {
      unavailable.set(PEER_NAMES.customResource, `the plugin did not start: ${String(error)}`);
    }
  }
  peers.push(await watchPeer(userKubeconfig, a));
  return {
    peers,
    unavailable,
    async close() {
      for (const peer of peers) await peer.close();
    },
  };
}
