/** ProviderDeps for unit tests: the fake cluster, a recording logger, real short timers, no backoff waits. */
import type { ProviderDeps } from "../../provider/core/deps";
import type { SnapshotCluster } from "../../provider/kube/cluster";

/** Lines the provider printed. */
export interface RecordedLog {
  info: string[];
  warn: string[];
}

/**
 * Builds deps over `cluster` (typed as the cluster given, so a restore-capable fake serves the VMRestore
 * provider too); `graceMs` is small so local-bound tests finish quickly.
 */
export function testDeps<C extends SnapshotCluster>(
  cluster: C,
  overrides: Partial<ProviderDeps<C>> = {},
): ProviderDeps<C> & { logs: RecordedLog; contexts: (string | undefined)[] } {
  const logs: RecordedLog = { info: [], warn: [] };
  const contexts: (string | undefined)[] = [];
  return {
    connect: async (context) => {
      contexts.push(context);
      return cluster;
    },
    log: { info: (l) => logs.info.push(l), warn: (l) => logs.warn.push(l) },
    now: Date.now,
    timer: (ms) => AbortSignal.timeout(ms),
    delay: () => new Promise((resolve) => setImmediate(resolve)),
    suffix: () => "abc1234",
    graceMs: 200,
    progressIntervalMs: 0,
    ...overrides,
    logs,
    contexts,
  };
}

/** Inputs as `check` would produce them for the usual test VM. */
export function checkedInputs(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    namespace: "prod",
    vmName: "db-1",
    name: "before-upgrade-abc1234",
    autoNamed: true,
    failureDeadline: "5m",
    deleteTimeout: "5m",
    waitFor: "readyToUse",
    guestAgent: "prefer",
    deletionPolicy: "Delete",
    triggers: [],
    onFailure: "keep",
    allowEmpty: false,
    resourceName: "before-upgrade",
    owner: "proj/dev/before-upgrade",
    __provider: "exports.handler = () => ({});",
    ...extra,
  };
}
