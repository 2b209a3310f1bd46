/**
 * The smallest failing examples of the bugs the property tests of this directory found, as plain unit tests
 * (each was red before its fix).
 *
 * Generated: nothing; every input is written out.
 *
 * Asserted: `check` failures in zod's own words got the property, the bad value and a fix (wrong types for
 * labels, triggers, flags, context, durations, names, history, and the SDK's resourceName and owner); a
 * duration longer than Go's `time.Duration` holds is refused by `check` (KubeVirt could not read it); an
 * earlier auto-name that Kubernetes would refuse is not kept by `check` (it passed check and failed create);
 * a VMRestore's `delete` takes stored props that are absent, as a VMSnapshot's does, and a stored
 * `deleteTimeout` that is zero or negative as absent; a `null` timeout next to a `deadline` unknown in preview
 * is still judged.
 */
import { createVmRestoreProvider, readRestoreInputs } from "../../../provider/restore/provider";
import { createVmSnapshotProvider, readInputs } from "../../../provider/snapshot/provider";
import { parseDuration } from "../../../shared/duration";
import { readRestoreState } from "../../../provider/restore/state";
import { UNKNOWN_VALUE } from "../../../provider/core/constants";
import { productionDeps } from "../../../provider/index";
import { FakeCluster } from "../../support/fake-cluster";
import { testDeps } from "../../support/test-deps";

const snapshots = createVmSnapshotProvider(testDeps(new FakeCluster()));
const restores = createVmRestoreProvider(testDeps(new FakeCluster()));
const SNAPSHOT = { namespace: "prod", vmName: "db-1", resourceName: "nightly", owner: "p/dev/nightly" };
const RESTORE = {
  namespace: "prod",
  snapshotName: "snap-1",
  resourceName: "rollback",
  owner: "p/dev/rollback",
};

/** The one failure `check` reports for `news`. */
async function onlyFailure(
  provider: typeof snapshots,
  news: Record<string, unknown>,
): Promise<{ property: string; reason: string }> {
  const { failures = [] } = await provider.check(undefined, news);
  expect(failures).toHaveLength(1);
  return failures[0]!;
}

describe("check failures name the property, the bad value and a fix (found by check's properties)", () => {
  it.each([
    ["allowEmpty", { allowEmpty: "true" }, 'allowEmpty is "true"; allowed values: true, false. Fix:'],
    [
      "retainHistoryOnDestroy",
      { retainHistoryOnDestroy: 1 },
      "retainHistoryOnDestroy is 1; allowed values: true, false. Fix:",
    ],
    ["labels", { labels: "team=db" }, 'labels is "team=db", which is not a map of strings. Fix:'],
    ["labels.team", { labels: { team: 1 } }, "labels value 1 is not a string. Fix:"],
    ["annotations", { annotations: ["a"] }, 'annotations is ["a"], which is not a map of strings. Fix:'],
    ["triggers", { triggers: "v1" }, 'triggers is "v1", which is not a list of strings. Fix:'],
    ["triggers.1", { triggers: ["v1", 2] }, "triggers must be a list of strings, and it holds 2. Fix:"],
    ["context", { context: "" }, 'context is "", which is not the name of a kubeconfig context. Fix:'],
    [
      "timeout",
      { timeout: 300 },
      'timeout must be a duration string (got 300). Fix: write it as a string, e.g. "15m".',
    ],
    ["name", { name: null }, "name is required and must be a string (got null). Fix:"],
    ["history", { history: "3" }, 'history must be a whole number from 0 to 100 (got "3"). Fix:'],
  ])("VMSnapshot %s", async (property, wrong, reason) => {
    expect(await onlyFailure(snapshots, { ...SNAPSHOT, ...wrong })).toEqual({
      property,
      reason: expect.stringContaining(reason),
    });
  });

  it.each([
    [
      "owner",
      { owner: undefined },
      "owner is missing (Invalid input: expected string, received undefined): ",
    ],
    [
      "resourceName",
      { resourceName: "" },
      'resourceName is "" (Too small: expected string to have >=1 characters): ',
    ],
  ])("VMSnapshot %s, which the SDK sets", async (property, wrong, reason) => {
    const failure = await onlyFailure(snapshots, { ...SNAPSHOT, ...wrong });
    expect(failure.property).toBe(property);
    expect(failure.reason).toContain(reason);
    expect(failure.reason).toContain(
      "Fix: create the resource with the SDK's VMSnapshot class (new VMSnapshot(name, args))",
    );
  });

  it.each([
    ["context", { context: 5 }, "context is 5, which is not the name of a kubeconfig context. Fix:"],
    ["triggers", { triggers: {} }, "triggers is {}, which is not a list of strings. Fix:"],
    [
      "deadline",
      { deadline: 600 },
      'deadline must be a duration string (got 600). Fix: write it as a string, e.g. "20m".',
    ],
    [
      "owner",
      { owner: 7 },
      "owner is 7 (Invalid input: expected string, received number): the pulumi-kubevirt-snapshot SDK",
    ],
  ])("VMRestore %s", async (property, wrong, reason) => {
    expect(await onlyFailure(restores, { ...RESTORE, ...wrong })).toEqual({
      property,
      reason: expect.stringContaining(reason),
    });
  });
});

describe("durations longer than Go holds (found by check's properties)", () => {
  it("refuses a duration past 2562047h, which KubeVirt's metav1.Duration cannot read, and keeps the longest it can", async () => {
    expect(parseDuration("2562047h")).toBe(2562047 * 3_600_000);
    expect(parseDuration("2562048h")).toBeUndefined();
    expect(parseDuration("-3000000h")).toBeUndefined();
    const failure = await onlyFailure(snapshots, { ...SNAPSHOT, failureDeadline: "3000000h", timeout: "1h" });
    expect(failure.property).toBe("failureDeadline");
    expect(failure.reason).toContain(
      'failureDeadline is "3000000h", which is not a non-negative Kubernetes duration',
    );
    expect(failure.reason).toContain("at most 2562047h");
    expect((await restores.check(undefined, { ...RESTORE, timeout: "2562048h" })).failures).toHaveLength(1);
    expect((await restores.check(undefined, { ...RESTORE, timeout: "2562047h" })).failures).toEqual([]);
  });
});

describe("an earlier auto-name Kubernetes would refuse (found by the property 'accepts what create accepts')", () => {
  it.each(["", "Nightly_1", "x".repeat(254)])(
    "is not kept by check (olds name %j), so create does not fail on what check accepted",
    async (oldName) => {
      const olds = { name: oldName, resourceName: "nightly", autoNamed: true };
      const snapshot = await snapshots.check(olds, SNAPSHOT);
      expect(snapshot.failures).toEqual([]);
      expect(readInputs(snapshot.inputs ?? {})).toMatchObject({ name: "nightly-abc1234", autoNamed: true });
      const restore = await restores.check({ ...olds, resourceName: "rollback" }, RESTORE);
      expect(restore.failures).toEqual([]);
      expect(readRestoreInputs(restore.inputs ?? {})).toMatchObject({
        name: "rollback-abc1234",
        autoNamed: true,
      });
    },
  );

  it("keeps a usable earlier auto-name", async () => {
    const olds = { name: "nightly-k3x9q2a", resourceName: "nightly", autoNamed: true };
    expect((await snapshots.check(olds, SNAPSHOT)).inputs).toMatchObject({ name: "nightly-k3x9q2a" });
  });
});

describe("VMRestore stored props that are absent (found by the delete property)", () => {
  it("reads them as {} like a VMSnapshot's, so delete removes the restore instead of a TypeError", async () => {
    expect(readRestoreState(undefined)).toEqual({ props: {}, state: { complete: false }, unreadable: [] });
    const cluster = new FakeCluster();
    cluster.seedRestore({
      metadata: { namespace: "prod", name: "rollback-abc1234" },
      spec: {
        target: { apiGroup: "kubevirt.io", kind: "VirtualMachine", name: "db-1" },
        virtualMachineSnapshotName: "snap-1",
      },
      status: { complete: true },
    });
    const provider = createVmRestoreProvider(testDeps(cluster));
    await provider.delete("prod/rollback-abc1234", undefined);
    expect(cluster.restores.size).toBe(0);
  });
});

describe("a VMRestore deadline unknown in preview next to a null timeout (found with KVSNAP_FC_SEED=42)", () => {
  it("still reports the null timeout instead of replacing it by the unknown deadline", async () => {
    const { failures = [], inputs = {} } = await restores.check(undefined, {
      ...RESTORE,
      deadline: UNKNOWN_VALUE,
      timeout: null,
    });
    expect(failures.map((f) => f.property)).toEqual(["timeout"]);
    expect(failures[0]?.reason).toContain("timeout must be a duration string (got null). Fix:");
    expect(inputs["timeout"]).toBeNull();
  });
});

describe("a VMRestore stored deleteTimeout that is zero or negative (found by the delete property)", () => {
  it.each(["0", "-1m"])(
    "reads %j as absent, so delete waits the default for KubeVirt's finalizer",
    async (bound) => {
      expect(readRestoreState({ deleteTimeout: bound }).state.deleteTimeout).toBeUndefined();
      const cluster = new FakeCluster();
      cluster.seedRestore({
        metadata: {
          namespace: "prod",
          name: "rollback-abc1234",
          finalizers: ["snapshot.kubevirt.io/vmrestore-protection"],
        },
        spec: {
          target: { apiGroup: "kubevirt.io", kind: "VirtualMachine", name: "db-1" },
          virtualMachineSnapshotName: "snap-1",
        },
        status: { complete: true },
      });
      cluster.onRestoreDelete = () => {
        setTimeout(
          () => cluster.updateRestore("prod", "rollback-abc1234", (r) => (r.metadata.finalizers = [])),
          5,
        );
      };
      const deps = testDeps(cluster, { timer: productionDeps({}).timer });
      await createVmRestoreProvider(deps).delete("prod/rollback-abc1234", { deleteTimeout: bound });
      expect(cluster.restores.size).toBe(0);
    },
  );
});
