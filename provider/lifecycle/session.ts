/** Shared first steps of every operation: connect, discover the API version, name things for messages. */
import type { ProviderDeps } from "../deps";
import type { SnapshotCluster, SnapshotRef } from "../kube/cluster";
import { chooseSnapshotVersion } from "../kube/discovery";
import { ProgressReporter } from "../progress";

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

/** A progress reporter whose lines start with `[<resource name>] <namespace>/<name>[ (<activity>)]: `. */
export function reporterFor(
  deps: Pick<ProviderDeps, "log" | "now" | "progressIntervalMs">,
  resourceName: string,
  ref: SnapshotRef,
  activity?: string,
): ProgressReporter {
  return new ProgressReporter(
    `[${resourceName}] ${ref.namespace}/${ref.name}${activity ? ` (${activity})` : ""}: `,
    deps.log,
    deps.now,
    deps.progressIntervalMs,
  );
}
