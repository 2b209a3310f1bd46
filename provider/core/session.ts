/** The first step of every operation: connect, and discover the snapshot.kubevirt.io version to speak. */
import type { ProviderDeps } from "./deps";
import type { SnapshotCluster } from "../kube/cluster";
import { chooseSnapshotVersion } from "../kube/discovery";

/** A connected cluster and the snapshot API version to use. */
export interface Session<C extends SnapshotCluster = SnapshotCluster> {
  cluster: C;
  version: string;
}

/** Connects and picks the snapshot API version by discovery (`preferred` is used when still served). */
export async function openSession<C extends SnapshotCluster>(
  deps: ProviderDeps<C>,
  context: string | undefined,
  preferred?: string,
): Promise<Session<C>> {
  const cluster = await deps.connect(context);
  const served = await cluster.servedSnapshotVersions();
  const version = preferred && served.includes(preferred) ? preferred : chooseSnapshotVersion(served);
  return { cluster, version };
}
