import { adoptionProblems } from "../../../provider/snapshot/adoption";
import { checkInputs } from "../../../provider/snapshot/check";
import { HISTORY_LABEL, OWNER_ANNOTATION } from "../../../provider/core/constants";
import { historyEntry, planHistory, type HistoryEntry } from "../../../provider/snapshot/history-plan";
import type { VirtualMachineSnapshot } from "../../../provider/kube/types";
import { createVmSnapshotProvider } from "../../../provider/snapshot/provider";
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

const entry = (name: string, createdAt: string, phase = "Succeeded"): HistoryEntry => ({
  name,
  createdAt,
  phase,
  creationTime: phase === "Failed" ? "" : createdAt,
  readyToUse: phase !== "Failed",
});

describe("planHistory", () => {
  const a = entry("a", "2026-11-01T00:00:00Z");
  const b = entry("b", "2026-11-02T00:00:00Z");
  const c = entry("c", "2026-11-03T00:00:00Z");
  const failed = entry("f", "2026-11-04T00:00:00Z", "Failed");

  it("keeps the newest N, newest first, and prunes the oldest", () => {
    expect(planHistory([b, a, c], 2)).toEqual({ keep: [c, b], prune: [a] });
  });

  it("prunes Failed snapshots before older good ones", () => {
    expect(planHistory([a, failed, b, c], 3)).toEqual({ keep: [c, b, a], prune: [failed] });
    expect(planHistory([a, failed, b, c], 1)).toEqual({ keep: [c], prune: [failed, a, b] });
  });

  it("keeps everything under the limit and nothing at 0", () => {
    expect(planHistory([a, b], 7)).toEqual({ keep: [b, a], prune: [] });
    expect(planHistory([a, b], 0)).toEqual({ keep: [], prune: [a, b] });
  });
});

const snapshot = (
  over: Partial<VirtualMachineSnapshot["metadata"]>,
  status = {},
): VirtualMachineSnapshot => ({
  metadata: { name: "manual-1", namespace: "prod", ...over },
  spec: { source: { apiGroup: "kubevirt.io", kind: "VirtualMachine", name: "db-1" } },
  status: { phase: "Succeeded", readyToUse: true, ...status },
});
const adoptInputs = {
  namespace: "prod",
  name: "manual-1",
  vmName: "db-1",
  owner: "proj/dev/imported",
  failureDeadline: "5m",
  deletionPolicy: "Delete" as const,
};

describe("adoptionProblems", () => {
  it("accepts an unmanaged snapshot of the VM with KubeVirt's defaults", () => {
    expect(adoptionProblems(snapshot({}), adoptInputs)).toEqual([]);
  });

  it("refuses a snapshot of another VM, naming both", () => {
    const other = snapshot({});
    other.spec.source.name = "web-1";
    expect(adoptionProblems(other, adoptInputs)).toEqual([
      'it is a snapshot of VirtualMachine "web-1", not of VirtualMachine "db-1". Fix: set vmName to "web-1", or name a snapshot of "db-1".',
    ]);
  });

  it("refuses a snapshot another Pulumi resource owns", () => {
    const foreign = snapshot({ annotations: { [OWNER_ANNOTATION]: "proj/prod/other" } });
    expect(adoptionProblems(foreign, adoptInputs).join()).toContain(
      'belongs to another Pulumi resource ("proj/prod/other")',
    );
  });

  it("refuses a Failed snapshot with its reason and the fix", () => {
    const failed = snapshot(
      {},
      {
        phase: "Failed",
        readyToUse: false,
        conditions: [{ type: "Failure", status: "True", reason: "snapshot deadline exceeded" }],
      },
    );
    expect(adoptionProblems(failed, adoptInputs)).toEqual([
      "it is Failed (snapshot deadline exceeded) and stays Failed. Fix: delete it (kubectl delete vmsnapshot manual-1 -n prod) and take a new one: remove adopt (and name).",
    ]);
  });

  it("refuses spec values that differ from the inputs (the spec is immutable)", () => {
    const retained = snapshot({});
    retained.spec.deletionPolicy = "Retain";
    retained.spec.failureDeadline = "10m";
    expect(adoptionProblems(retained, adoptInputs)).toEqual([
      'its spec.failureDeadline is "10m" but failureDeadline is "5m" (the spec is immutable). Fix: set failureDeadline to "10m".',
      'its spec.deletionPolicy is "Retain" but deletionPolicy is "Delete" (the spec is immutable). Fix: set deletionPolicy to "Retain".',
    ]);
    retained.spec.failureDeadline = "600s";
    expect(
      adoptionProblems(retained, { ...adoptInputs, deletionPolicy: "Retain", failureDeadline: "10m" }),
    ).toEqual([]);
  });
});

describe("check: history and adopt", () => {
  const base = { namespace: "prod", vmName: "db-1", resourceName: "r", owner: "p/s/r" };
  const reasons = (raw: Record<string, unknown>) => checkInputs(undefined, raw, () => "abc1234").failures;

  it("needs a generated name for history", () => {
    expect(reasons({ ...base, name: "fixed", history: 3 })).toEqual([
      expect.objectContaining({
        property: "history",
        reason: expect.stringContaining('name is fixed ("fixed")'),
      }),
    ]);
  });

  it("needs a name to adopt", () => {
    expect(reasons({ ...base, adopt: true })).toEqual([
      expect.objectContaining({ property: "adopt", reason: expect.stringContaining("Fix: set name") }),
    ]);
  });

  it("names the bad history value and the allowed range", () => {
    expect(reasons({ ...base, history: -1 })[0]?.reason).toBe(
      "history is -1; allowed: 0 to 100. Fix: use e.g. 7, or 0 to keep none.",
    );
    expect(reasons({ ...base, history: 2.5 })[0]?.reason).toBe(
      "history is 2.5, which is not a whole number. Fix: use e.g. 7.",
    );
  });
});

describe("history across replacements (fake cluster)", () => {
  function setup() {
    const cluster = new FakeCluster();
    const { vm, vmi } = vmFixture();
    cluster.addVm(vm, vmi);
    playKubevirt(cluster, [firstStatus, locked(["GuestAgent", "Online"]), succeeded(), ready]);
    releaseOnDelete(cluster);
    const provider = createVmSnapshotProvider(testDeps(cluster));
    const take = async (name: string, extra: Record<string, unknown> = {}) => {
      const result = await provider.create(checkedInputs({ name, history: 2, ...extra }));
      await new Promise((resolve) => setTimeout(resolve, 5)); // distinct creation timestamps
      return result;
    };
    return { cluster, provider, take, names: () => [...cluster.snapshots.keys()].sort() };
  }
  const isHistory = (cluster: FakeCluster, name: string) =>
    cluster.snapshots.get(`prod/${name}`)?.metadata.labels?.[HISTORY_LABEL] === "true";

  it("keeps replaced snapshots as history, prunes beyond N, and the engine's delete leaves them", async () => {
    const { cluster, provider, take, names } = setup();
    const first = await take("snap-1");
    expect(first.outs["keptHistory"]).toEqual([]);
    const second = await take("snap-2");
    expect(isHistory(cluster, "snap-1")).toBe(true);
    expect(second.outs["keptHistory"]).toEqual([
      { name: "snap-1", creationTime: "2026-11-29T10:00:00Z", readyToUse: true, phase: "Succeeded" },
    ]);
    await provider.delete(first.id, first.outs); // the engine deletes the replaced resource
    expect(names()).toEqual(["prod/snap-1", "prod/snap-2"]);
    await take("snap-3");
    const fourth = await take("snap-4");
    expect(names()).toEqual(["prod/snap-2", "prod/snap-3", "prod/snap-4"]);
    expect((fourth.outs["keptHistory"] as { name: string }[]).map((e) => e.name)).toEqual([
      "snap-3",
      "snap-2",
    ]);
    await provider.delete(fourth.id, fourth.outs); // destroy: the history goes too
    expect(names()).toEqual([]);
  });

  it("keeps the history on destroy with retainHistoryOnDestroy, and never touches other owners' snapshots", async () => {
    const { cluster, provider, take, names } = setup();
    await take("other-1", { owner: "proj/dev/someone-else", resourceName: "someone-else" });
    await take("snap-1");
    const last = await take("snap-2", { retainHistoryOnDestroy: true });
    await provider.delete(last.id, last.outs);
    expect(names()).toEqual(["prod/other-1", "prod/snap-1"]);
    expect(isHistory(cluster, "other-1")).toBe(false);
  });

  it("with history 0 the replaced snapshot is left for the engine to delete, and old history is pruned", async () => {
    const { cluster, provider, take, names } = setup();
    await take("snap-1");
    const second = await take("snap-2");
    const third = await take("snap-3", { history: 0 });
    expect(third.outs["keptHistory"]).toEqual([]);
    expect(names()).toEqual(["prod/snap-2", "prod/snap-3"]);
    expect(isHistory(cluster, "snap-2")).toBe(false);
    await provider.delete("prod/snap-2", { ...second.outs, history: 2 });
    expect(names()).toEqual(["prod/snap-3"]);
  });
});

describe("history order within one second", () => {
  const snap = (name: string, createdAt: string | undefined): VirtualMachineSnapshot => ({
    metadata: {
      name,
      creationTimestamp: "2026-12-02T12:00:00Z",
      annotations: createdAt ? { "pulumi-kubevirt-snapshot.io/created-at": createdAt } : {},
    },
    spec: { source: { apiGroup: "kubevirt.io", kind: "VirtualMachine", name: "vm" } },
    status: { phase: "Succeeded", readyToUse: true },
  });
  it("orders by the provider's millisecond stamp, not by name, when Kubernetes' seconds tie", () => {
    const entries = [
      historyEntry(snap("z-first", "2026-12-02T12:00:00.100Z")),
      historyEntry(snap("a-second", "2026-12-02T12:00:00.900Z")),
    ];
    expect(planHistory(entries, 2).keep.map((e) => e.name)).toEqual(["a-second", "z-first"]);
    expect(planHistory(entries, 1).prune.map((e) => e.name)).toEqual(["z-first"]);
  });
  it("falls back to creationTimestamp for snapshots it did not stamp (adopted, older builds)", () => {
    expect(historyEntry(snap("old", undefined)).createdAt).toBe("2026-12-02T12:00:00Z");
  });
});
