/**
 * Stored state of every earlier build, and state cut short or holding wrong types, read by this build:
 * never an exception, no diff for an unchanged program, and no delete on a guess.
 */
import { checkInputs } from "../../../provider/snapshot/check";
import { diffSnapshot } from "../../../provider/snapshot/diff";
import { createVmSnapshotProvider } from "../../../provider/snapshot/provider";
import { SNAPSHOT_INPUT_DEFAULTS } from "../../../provider/snapshot/inputs";
import { readSnapshotState } from "../../../provider/snapshot/state";
import { FakeCluster } from "../../support/fake-cluster";
import {
  firstStatus,
  locked,
  playKubevirt,
  ready,
  releaseOnDelete,
  succeeded,
  vmFixture,
} from "../../support/kubevirt-script";
import { checkedInputs, testDeps } from "../../support/test-deps";

const PROVIDER = checkedInputs()["__provider"];
const ID = "prod/before-upgrade-abc1234";

/**
 * A ready snapshot made by this build; its stored state (outputs plus `__provider`) as the builds before this
 * one wrote it, every input at its default included (this build leaves those out).
 */
async function created() {
  const cluster = new FakeCluster();
  const { vm, vmi } = vmFixture();
  cluster.addVm(vm, vmi);
  const deps = testDeps(cluster);
  const provider = createVmSnapshotProvider(deps);
  playKubevirt(cluster, [firstStatus, locked(["GuestAgent", "Online"]), succeeded(), ready]);
  const result = await provider.create(checkedInputs());
  releaseOnDelete(cluster);
  return {
    cluster,
    deps,
    provider,
    state: { ...SNAPSHOT_INPUT_DEFAULTS, ...result.outs, __provider: PROVIDER } as Record<string, unknown>,
    /** The state as this build writes it. */
    current: { ...result.outs, __provider: PROVIDER } as Record<string, unknown>,
  };
}

/** What the first build wrote: no history, retainHistoryOnDestroy, adopt, keptHistory or consistency. */
function firstBuild(state: Record<string, unknown>): Record<string, unknown> {
  const {
    history: _h,
    retainHistoryOnDestroy: _r,
    adopt: _a,
    keptHistory: _k,
    consistency: _c,
    ...earlier
  } = state;
  return earlier;
}

/** What the build that added history and adopt wrote: everything but consistency. */
function historyBuild(state: Record<string, unknown>): Record<string, unknown> {
  const { consistency: _c, ...earlier } = state;
  return earlier;
}

describe("readSnapshotState", () => {
  it("reads every earlier shape with the values those builds implied, keeping the other keys", async () => {
    const { state } = await created();
    for (const shape of [firstBuild(state), historyBuild(state), state]) {
      const stored = readSnapshotState(shape);
      expect(stored.unreadable).toEqual([]);
      expect(stored.props).toBe(shape);
      expect(stored.state).toMatchObject({
        resourceName: "before-upgrade",
        owner: "proj/dev/before-upgrade",
        apiVersion: "v1beta1",
        deleteTimeout: "5m",
        history: 0,
        retainHistoryOnDestroy: false,
        adopt: false,
        readyToUse: true,
        online: true,
        guestAgentConnected: true,
        phase: "Succeeded",
        vmName: "db-1",
        __provider: PROVIDER,
      });
    }
    expect(readSnapshotState(firstBuild(state)).state).not.toHaveProperty("consistency");
  });

  it("reads state cut short as the defaults, without an exception", () => {
    expect(readSnapshotState({})).toEqual({
      props: {},
      state: {
        history: 0,
        retainHistoryOnDestroy: false,
        adopt: false,
        whenVmMissing: "fail",
        skipped: false,
        readyToUse: false,
        online: false,
        guestAgentConnected: false,
        contentName: "",
      },
      unreadable: [],
    });
  });

  it("falls back to the defaults for wrong types and lists those fields", () => {
    const wrong = {
      context: 5,
      owner: ["proj/dev/x"],
      history: "3",
      retainHistoryOnDestroy: "yes",
      readyToUse: "true",
      labels: "team=db",
      apiVersion: null,
      deleteTimeout: 300,
      vmName: 1,
    };
    const stored = readSnapshotState(wrong);
    expect(stored.state).toEqual({
      history: 0,
      retainHistoryOnDestroy: false,
      adopt: false,
      whenVmMissing: "fail",
      skipped: false,
      readyToUse: false,
      online: false,
      guestAgentConnected: false,
      contentName: "",
      vmName: 1,
    });
    expect(stored.unreadable.sort()).toEqual(
      [
        "apiVersion",
        "context",
        "deleteTimeout",
        "history",
        "labels",
        "owner",
        "readyToUse",
        "retainHistoryOnDestroy",
      ].sort(),
    );
  });
});

describe("state of earlier builds through the provider", () => {
  it("shows no diff for an unchanged program, whichever build wrote the state", async () => {
    const { state } = await created();
    for (const shape of [firstBuild(state), historyBuild(state)]) {
      const program = {
        namespace: "prod",
        vmName: "db-1",
        resourceName: "before-upgrade",
        owner: "proj/dev/before-upgrade",
      };
      const checked = checkInputs(shape, { ...program, __provider: PROVIDER }, () => "zzz");
      expect(checked.failures).toEqual([]);
      expect(diffSnapshot(shape, checked.inputs)).toEqual({
        changes: false,
        replaces: [],
        deleteBeforeReplace: false,
      });
    }
  });

  it("refreshes first-build state without adding the inputs it lacked, and finds the API version by discovery", async () => {
    const { provider, state } = await created();
    const { apiVersion: _v, ...noVersion } = firstBuild(state);
    const result = await provider.read(ID, noVersion);
    expect(result.id).toBe(ID);
    expect(result.props).toMatchObject({ apiVersion: "v1beta1", readyToUse: true, consistency: "frozen" });
    for (const key of ["history", "retainHistoryOnDestroy", "adopt"])
      expect(result.props).not.toHaveProperty(key);
  });

  it("updates and deletes first-build state", async () => {
    const { cluster, provider, state } = await created();
    const earlier = firstBuild(state);
    const { outs } = await provider.update(ID, earlier, checkedInputs({ labels: { team: "db" } }));
    expect(outs).toMatchObject({ labels: { team: "db" }, readyToUse: true });
    // history 0 is its default: left out of what this build stores, and read back as 0.
    expect(outs).not.toHaveProperty("history");
    expect(readSnapshotState(outs).state.history).toBe(0);
    await provider.delete(ID, earlier);
    expect(cluster.snapshots.size).toBe(0);
  });

  it("reads and deletes state cut short to nothing but the id", async () => {
    const { cluster, provider } = await created();
    await expect(provider.read(ID, {})).resolves.toMatchObject({ id: ID, props: { readyToUse: true } });
    await provider.delete(ID, {});
    expect(cluster.snapshots.size).toBe(0);
  });
});

describe("state this build writes", () => {
  const program = {
    namespace: "prod",
    vmName: "db-1",
    resourceName: "before-upgrade",
    owner: "proj/dev/before-upgrade",
    __provider: PROVIDER,
  };

  it("leaves out every input at its default, though the create's inputs held them all", async () => {
    const { current } = await created();
    for (const key of Object.keys(SNAPSHOT_INPUT_DEFAULTS)) expect(current).not.toHaveProperty(key);
    expect(current).toMatchObject({ name: "before-upgrade-abc1234", namespace: "prod", vmName: "db-1" });
    expect(readSnapshotState(current)).toMatchObject({
      unreadable: [],
      state: { history: 0, retainHistoryOnDestroy: false, adopt: false, whenVmMissing: "fail" },
    });
  });

  it("shows no diff for the unchanged program, checked by this build or an earlier one", async () => {
    const { current } = await created();
    const none = { changes: false, replaces: [], deleteBeforeReplace: false };
    expect(diffSnapshot(current, checkInputs(current, program, () => "zzz").inputs)).toEqual(none);
    expect(diffSnapshot(current, checkedInputs())).toEqual(none);
  });

  it("refreshes, updates and deletes it (deleteTimeout at its default)", async () => {
    const { cluster, provider, current } = await created();
    const read = await provider.read(ID, current);
    expect(read.props).toMatchObject({ readyToUse: true });
    const { outs } = await provider.update(ID, current, checkedInputs({ labels: { team: "db" } }));
    expect(outs).toMatchObject({ labels: { team: "db" } });
    for (const key of Object.keys(SNAPSHOT_INPUT_DEFAULTS)) {
      expect(read.props).not.toHaveProperty(key);
      expect(outs).not.toHaveProperty(key);
    }
    await provider.delete(ID, current);
    expect(cluster.snapshots.size).toBe(0);
  });
});

describe("delete of state it cannot read", () => {
  it.each([
    ["context", { context: 5 }, /the stored context is 5, which this provider cannot read/],
    ["owner", { owner: 7 }, /the stored owner is 7, which this provider cannot read/],
    [
      "retainHistoryOnDestroy",
      { history: 3, retainHistoryOnDestroy: "yes" },
      /the stored retainHistoryOnDestroy is "yes", which this provider cannot read/,
    ],
  ])("refuses when %s cannot be read, naming it, and deletes nothing", async (_field, wrong, message) => {
    const { cluster, deps, provider, state } = await created();
    const calls = cluster.calls.length;
    const contexts = deps.contexts.length;
    const refusal = provider.delete(ID, { ...state, ...wrong });
    await expect(refusal).rejects.toThrow(message);
    await expect(refusal).rejects.toThrow(
      /^\[before-upgrade\] refusing to delete VirtualMachineSnapshot prod\/before-upgrade-abc1234: .*nothing was deleted\. Fix: correct the field in the stack's state/,
    );
    expect(cluster.calls.slice(calls)).toEqual([]);
    expect(deps.contexts.length).toBe(contexts);
    expect(cluster.snapshots.has(ID)).toBe(true);
  });

  it.each(["prod", "prod/a/b", "/before-upgrade-abc1234", "Prod/x"])(
    "refuses an id that is not <namespace>/<name> (%j)",
    async (id) => {
      const { cluster, provider, state } = await created();
      const calls = cluster.calls.length;
      await expect(provider.delete(id, state)).rejects.toThrow(
        `refusing to delete VirtualMachineSnapshot ${id}: the resource id "${id}" is not <namespace>/<name>`,
      );
      expect(cluster.calls.slice(calls)).toEqual([]);
    },
  );

  it("deletes its own snapshot when only a field that picks nothing is unreadable (history keeps its default)", async () => {
    const { cluster, provider, state } = await created();
    await provider.delete(ID, { ...state, history: "3", deleteTimeout: 300 });
    expect(cluster.snapshots.size).toBe(0);
  });
});
