/**
 * What one operation (create, read, update or delete of one resource) works with, built once when it starts:
 * the injected I/O, the connected cluster and the API version it speaks, the Pulumi resource name that starts
 * every line the user sees, and the resource's own object. Functions below the provider methods take this
 * instead of long lists of positional parameters.
 */
import type { ProviderDeps } from "./deps";
import { ProviderError } from "./errors";
import { ProgressReporter, type Summarize } from "./progress";
import { resourcePrefix } from "./resource-prefix";
import { parseResourceId } from "./resource-id";
import { openSession, type Session } from "./session";
import type { SnapshotCluster, SnapshotRef } from "../kube/cluster";
import type { VirtualMachineSnapshot } from "../kube/types";

/** Options of {@link OperationContext.reporter}. */
export interface ReporterOptions<T> {
  /** Shown after the object's name, e.g. "deleting". */
  activity?: string;
  /** How one observation reads (default: a snapshot's phase, readiness and error). */
  summarize?: Summarize<T>;
}

/** One operation of one resource (`C`: the cluster operations it needs). */
export interface OperationContext<C extends SnapshotCluster = SnapshotCluster> {
  /** The injected I/O (clock, timers, log, …). */
  readonly deps: ProviderDeps<C>;
  /** The cluster the resource lives in. */
  readonly cluster: C;
  /** The snapshot.kubevirt.io version this operation speaks. */
  readonly version: string;
  /** The Pulumi resource name. */
  readonly resourceName: string;
  /** The resource's own object (its snapshot, or its restore). */
  readonly ref: SnapshotRef;
  /** {@link resourcePrefix} of the resource name. */
  readonly prefix: string;
  /** Prints a line for the user, prefixed. */
  say(line: string): void;
  /** Prints a warning line, prefixed. */
  warn(line: string): void;
  /** An error for the user, prefixed (to throw). */
  fail(message: string): ProviderError;
  /** Another object in the resource's namespace (a history snapshot, the snapshot a restore reads). */
  refTo(name: string): SnapshotRef;
  /** A progress reporter whose lines start with `[<resource name>] <namespace>/<name>[ (<activity>)]: `. */
  reporter<T = VirtualMachineSnapshot>(ref: SnapshotRef, options?: ReporterOptions<T>): ProgressReporter<T>;
}

/** Which resource an operation is about, and where to find it. */
export interface OperationTarget {
  /** The Pulumi resource name. */
  resourceName: string;
  /** Namespace of the resource's object. */
  namespace: string;
  /** Kubernetes name of the resource's object. */
  name: string;
  /** Kubeconfig context (`undefined` = the configured or current one). */
  context: string | undefined;
  /** The API version used before, kept while the cluster still serves it. */
  apiVersion?: string | undefined;
}

/** What every resource's stored state says about where its object is (read by snapshot/state.ts, restore/state.ts). */
export interface StoredLocation {
  resourceName?: string | undefined;
  context?: string | undefined;
  apiVersion?: string | undefined;
}

/**
 * The object an existing resource stands for, from its id (`<namespace>/<name>`) and stored state: the stored
 * context, and the API version it was made with.
 */
export function storedTarget(id: string, state: StoredLocation): OperationTarget {
  const { namespace, name } = parseResourceId(id);
  return {
    resourceName: state.resourceName ?? name,
    namespace,
    name,
    context: state.context || undefined,
    apiVersion: state.apiVersion ?? "",
  };
}

/** The context of an operation over an open session. Pure. */
export function operationContext<C extends SnapshotCluster>(
  deps: ProviderDeps<C>,
  session: Session<C>,
  target: OperationTarget,
): OperationContext<C> {
  const prefix = resourcePrefix(target.resourceName);
  const refTo = (name: string): SnapshotRef => ({
    version: session.version,
    namespace: target.namespace,
    name,
  });
  return {
    deps,
    cluster: session.cluster,
    version: session.version,
    resourceName: target.resourceName,
    ref: refTo(target.name),
    prefix,
    say: (line) => deps.log.info(prefix + line),
    warn: (line) => deps.log.warn(prefix + line),
    fail: (message) => new ProviderError(prefix + message),
    refTo,
    reporter: (ref, options = {}) =>
      new ProgressReporter({
        prefix: `${prefix}${ref.namespace}/${ref.name}${options.activity ? ` (${options.activity})` : ""}: `,
        log: deps.log,
        now: deps.now,
        minIntervalMs: deps.progressIntervalMs,
        summarize: options.summarize,
      }),
  };
}

/** Connects (choosing the API version by discovery) and builds the operation's context. */
export async function openOperation<C extends SnapshotCluster>(
  deps: ProviderDeps<C>,
  target: OperationTarget,
): Promise<OperationContext<C>> {
  const session = await openSession(deps, target.context, target.apiVersion || undefined);
  return operationContext(deps, session, target);
}
