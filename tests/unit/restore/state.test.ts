/**
 * A `VMRestore`'s stored state from every earlier build (`deadline` instead of `timeout`), and state cut short
 * or holding wrong types, read by this build: never an exception, no diff for an unchanged program, and no
 * delete on a guess.
 */
import type { RestoreCluster } from "../../../provider/kube/cluster";
import type { VirtualMachineRestore } from "../../../provider/kube/types";
import type { RestoreDeps } from "../../../provider/restore/create";
import { createVmRestoreProvider } from "../../../provider/restore/provider";
import { readRestoreState } from "../../../provider/restore/state";

const PROVIDER = "exports.handler = () => ({});";
const ID = "prod/rollback-abc1234";

/** The state this build writes for a completed restore. */
const current: Record<string, unknown> = {
  namespace: "prod",
  snapshotName: "s1",
  name: "rollback-abc1234",
  autoNamed: true,
  targetReadinessPolicy: "WaitGracePeriod",
  volumeRestorePolicy: "RandomizeNames",
  timeout: "10m",
  deleteTimeout: "5m",
  triggers: [],
  resourceName: "rollback",
  owner: "proj/dev/rollback",
  restoreName: "rollback-abc1234",
  apiVersion: "v1beta1",
  uid: "uid-1",
  targetVm: "db-1",
  complete: true,
  restoreTime: "2026-11-29T10:00:00Z",
  progressing: "Operation complete",
  failure: "",
  restores: [],
  __provider: PROVIDER,
};

/** What the first VMRestore build wrote: the wait bound as `deadline`. */
const { timeout: _timeout, ...withoutTimeout } = current;
const earlier: Record<string, unknown> = { ...withoutTimeout, deadline: "10m" };

/** A cluster that records every call; it serves v1beta1 and holds one completed restore. */
function recordingCluster(): { cluster: RestoreCluster; calls: string[] } {
  const calls: string[] = [];
  const live: VirtualMachineRestore = {
    metadata: { name: "rollback-abc1234", namespace: "prod", uid: "uid-1" },
    spec: {
      target: { apiGroup: "kubevirt.io", kind: "VirtualMachine", name: "db-1" },
      virtualMachineSnapshotName: "s1",
    },
    status: { complete: true, restoreTime: "2026-11-29T10:00:00Z" },
  };
  const answers: Record<string, unknown> = {
    servedSnapshotVersions: ["v1beta1"],
    getRestore: live,
    deleteRestore: false,
  };
  const cluster = new Proxy(
    {},
    {
      // Not a promise itself ("then"), so connect() can resolve to it.
      get: (_target, method: string) =>
        method === "then"
          ? undefined
          : (): Promise<unknown> => {
              calls.push(method);
              return Promise.resolve(answers[method]);
            },
    },
  ) as RestoreCluster;
  return { cluster, calls };
}

function provider() {
  const { cluster, calls } = recordingCluster();
  const contexts: (string | undefined)[] = [];
  const deps: RestoreDeps = {
    connect: (context) => {
      contexts.push(context);
      return Promise.resolve(cluster);
    },
    log: { info: () => undefined, warn: () => undefined },
    now: Date.now,
    timer: (ms) => AbortSignal.timeout(ms),
    delay: () => Promise.resolve(),
    suffix: () => "abc1234",
    graceMs: 0,
    progressIntervalMs: 0,
  };
  return { provider: createVmRestoreProvider(deps), calls, contexts };
}

describe("readRestoreState", () => {
  it("reads the earlier build's deadline as timeout, keeping the props as stored", () => {
    const stored = readRestoreState(earlier);
    expect(stored.unreadable).toEqual([]);
    expect(stored.props).toBe(earlier);
    expect(stored.state).toMatchObject({
      timeout: "10m",
      complete: true,
      resourceName: "rollback",
      apiVersion: "v1beta1",
    });
    expect(stored.state).not.toHaveProperty("deadline");
    expect(readRestoreState(current).state).toMatchObject({
      timeout: "10m",
      complete: true,
      __provider: PROVIDER,
    });
  });

  it("reads state cut short as the defaults, and wrong types as the defaults with the fields listed", () => {
    expect(readRestoreState({})).toEqual({ props: {}, state: { complete: false }, unreadable: [] });
    const stored = readRestoreState({
      context: 5,
      complete: "yes",
      timeout: 7,
      apiVersion: null,
      triggers: "x",
    });
    expect(stored.state).toEqual({ complete: false, triggers: "x" });
    expect(stored.unreadable.sort()).toEqual(["apiVersion", "complete", "context", "timeout"]);
  });
});

describe("restore state of earlier builds through the provider", () => {
  it("shows no diff for an unchanged program over either shape", async () => {
    const { provider: p } = provider();
    const program = {
      namespace: "prod",
      snapshotName: "s1",
      resourceName: "rollback",
      owner: "proj/dev/rollback",
    };
    for (const shape of [earlier, current]) {
      const checked = await p.check(shape, { ...program, __provider: PROVIDER });
      expect(checked.failures).toEqual([]);
      expect(await p.diff(ID, shape, checked.inputs)).toEqual({
        changes: false,
        replaces: [],
        deleteBeforeReplace: false,
      });
    }
  });

  it("refreshes the earlier build's state as it was stored (deadline kept, nothing added)", async () => {
    const { provider: p } = provider();
    const result = await p.read(ID, earlier);
    expect(result.props).toMatchObject({ deadline: "10m", complete: true, apiVersion: "v1beta1" });
    expect(result.props).not.toHaveProperty("timeout");
    expect(result.props).not.toHaveProperty("__provider");
  });

  it("deletes state cut short to nothing but the id", async () => {
    const { provider: p, calls } = provider();
    await p.delete(ID, {});
    expect(calls).toEqual(["servedSnapshotVersions", "deleteRestore"]);
  });

  it("refuses to delete when the stored context cannot be read, naming it, without touching a cluster", async () => {
    const { provider: p, calls, contexts } = provider();
    await expect(p.delete(ID, { ...earlier, context: 5 })).rejects.toThrow(
      /^\[rollback\] refusing to delete VirtualMachineRestore prod\/rollback-abc1234: the stored context is 5, which this provider cannot read, so which objects to delete is not known; nothing was deleted\./,
    );
    await expect(p.delete("rollback-abc1234", earlier)).rejects.toThrow(
      'the resource id "rollback-abc1234" is not <namespace>/<name>',
    );
    expect(calls).toEqual([]);
    expect(contexts).toEqual([]);
  });
});
