/** Shared first steps of every operation: connect, discover the API version, name things for messages. */
import type { ProviderDeps } from "./deps";
import type { SnapshotCluster, SnapshotRef } from "../kube/cluster";
import { chooseSnapshotVersion } from "../kube/discovery";
import type { VirtualMachineSnapshot } from "../kube/types";
import { ProgressReporter, type Summarize } from "./progress";
import { stringProp } from "./props";
import { parseResourceId } from "./resource-id";

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

/**
 * The session for an existing resource, from its id (`<namespace>/<name>`) and stored state: the stored
 * context, and the API version it was made with while the cluster still serves it.
 */
export async function openStoredSession<C extends SnapshotCluster>(
  deps: ProviderDeps<C>,
  id: string,
  props: Record<string, unknown>,
): Promise<{ session: Session<C>; namespace: string; name: string }> {
  const session = await openSession(
    deps,
    stringProp(props, "context") || undefined,
    stringProp(props, "apiVersion"),
  );
  return { session, ...parseResourceId(id) };
}

/** A progress reporter whose lines start with `[<resource name>] <namespace>/<name>[ (<activity>)]: `. */
export function reporterFor<T = VirtualMachineSnapshot>(
  deps: Pick<ProviderDeps, "log" | "now" | "progressIntervalMs">,
  resourceName: string,
  ref: SnapshotRef,
  activity?: string,
  summarize?: Summarize<T>,
): ProgressReporter<T> {
  return new ProgressReporter<T>(
    `[${resourceName}] ${ref.namespace}/${ref.name}${activity ? ` (${activity})` : ""}: `,
    deps.log,
    deps.now,
    deps.progressIntervalMs,
    summarize,
  );
}
