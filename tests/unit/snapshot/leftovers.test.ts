/**
 * Leftovers of interrupted runs: the pure plan, the intent hash, and the provider over the in-memory cluster
 * with a leftover seeded as an interrupted create leaves it (the provider's own manifest, still pending).
 */
import {
  CLAIM_ANNOTATION,
  HISTORY_LABEL,
  INTENT_ANNOTATION,
  PENDING_ANNOTATION,
} from "../../../provider/core/constants";
import type { PartialFailureError } from "../../../provider/core/errors";
import type { SnapshotPhase, VirtualMachineSnapshot } from "../../../provider/kube/types";
import { snapshotIntent } from "../../../provider/snapshot/intent";
import { planLeftovers } from "../../../provider/snapshot/leftover-plan";
import { buildSnapshotManifest } from "../../../provider/snapshot/manifest";
import { createVmSnapshotProvider, readInputs } from "../../../provider/snapshot/provider";
import { FakeCluster } from "../../support/fake-cluster";
import {
  deadlineExceeded,
  firstStatus,
  locked,
  playKubevirt,
  ready,
  releaseOnDelete,
  succeeded,
  vmFixture,
} from "../../support/kubevirt-script";
import { checkedInputs, testDeps } from "../../support/test-deps";

const intentInputs = {
  vmName: "db-1",
  failureDeadline: "5m",
  deletionPolicy: "Delete" as const,
  triggers: ["v1"],
};

describe("snapshotIntent", () => {
  it("is the same for the same inputs and changes with the VM, the spec or a trigger", () => {
    const base = snapshotIntent(intentInputs);
    expect(snapshotIntent({ ...intentInputs })).toBe(base);
    expect(base).toMatch(/^[0-9a-f]{40}$/);
    for (const change of [
      { vmName: "db-2" },
      { failureDeadline: "6m" },
      { deletionPolicy: "Retain" as const },
      { triggers: ["v2"] },
      { triggers: [] },
    ]) {
      expect(snapshotIntent({ ...intentInputs, ...change })).not.toBe(base);
    }
  });
});

const leftover = (
  name: string,
  over: { intent?: string; createdAt: string; phase?: SnapshotPhase; readyToUse?: boolean },
): VirtualMachineSnapshot => ({
  metadata: {
    name,
    namespace: "prod",
    annotations: {
      [PENDING_ANNOTATION]: "true",
      [INTENT_ANNOTATION]: over.intent ?? "i1",
      "pulumi-kubevirt-snapshot.io/created-at": over.createdAt,
    },
  },
  spec: { source: { apiGroup: "kubevirt.io", kind: "VirtualMachine", name: "db-1" } },
  status: { phase: over.phase ?? "InProgress", readyToUse: over.readyToUse ?? false },
});

describe("planLeftovers", () => {
  const older = leftover("a", {
    createdAt: "2026-12-01T10:00:00.000Z",
    phase: "Succeeded",
    readyToUse: true,
  });
  const newer = leftover("b", { createdAt: "2026-12-01T11:00:00.000Z" });
  const failed = leftover("c", { createdAt: "2026-12-01T12:00:00.000Z", phase: "Failed" });
  const otherReady = leftover("d", {
    intent: "i2",
    createdAt: "2026-12-01T09:00:00.000Z",
    phase: "Succeeded",
    readyToUse: true,
  });
  const otherBusy = leftover("e", { intent: "i2", createdAt: "2026-12-01T09:30:00.000Z" });

  it("adopts the newest leftover of the same intent that is not Failed", () => {
    expect(planLeftovers([older, newer, failed], "i1", 0)).toEqual({
      adopt: "b",
      toHistory: [],
      toDelete: ["c", "a"],
    });
  });

  it("keeps usable leftovers as history when the resource keeps history, deletes the rest", () => {
    expect(planLeftovers([older, newer, failed, otherReady, otherBusy], "i1", 2)).toEqual({
      adopt: "b",
      toHistory: ["a", "d"],
      toDelete: ["c", "e"],
    });
  });

  it("adopts nothing for another intent (or none: a fixed name)", () => {
    expect(planLeftovers([older, newer], "i9", 0)).toEqual({
      adopt: undefined,
      toHistory: [],
      toDelete: ["b", "a"],
    });
    expect(planLeftovers([failed], "i1", 3).adopt).toBeUndefined();
  });
});

/** The fake cluster with the usual VM, KubeVirt played on every created snapshot, and deletions released. */
function setup(steps = [firstStatus, locked(["GuestAgent", "Online"]), succeeded(), ready]) {
  const cluster = new FakeCluster();
  const { vm, vmi } = vmFixture();
  cluster.addVm(vm, vmi);
  playKubevirt(cluster, steps);
  releaseOnDelete(cluster);
  const deps = testDeps(cluster);
  const provider = createVmSnapshotProvider(deps);
  const names = () => [...cluster.snapshots.keys()].sort();
  const annotation = (name: string, key: string) =>
    cluster.snapshots.get(`prod/${name}`)?.metadata.annotations?.[key];
  /** A snapshot as a create interrupted after its API call leaves it: the provider's manifest, still pending. */
  const interrupted = async (name: string, extra: Record<string, unknown> = {}) => {
    const inputs = readInputs(checkedInputs({ name, ...extra }));
    await cluster.createSnapshot(
      "v1beta1",
      buildSnapshotManifest(inputs, "v1beta1", { createdAtMs: Date.now(), claim: `lost-${name}` }),
    );
    await new Promise((resolve) => setTimeout(resolve, 20)); // KubeVirt's script runs on it
  };
  return { cluster, deps, provider, names, annotation, interrupted };
}

describe("create after an interrupted run (fake cluster)", () => {
  it("takes over the snapshot the interrupted run was taking instead of making a second one", async () => {
    const { provider, names, annotation, interrupted, deps } = setup();
    await interrupted("before-upgrade-first01", { triggers: ["v1"] });
    const result = await provider.create(checkedInputs({ name: "before-upgrade-second2", triggers: ["v1"] }));
    expect(result.id).toBe("prod/before-upgrade-first01");
    expect(result.outs).toMatchObject({
      name: "before-upgrade-first01",
      snapshotName: "before-upgrade-first01",
      readyToUse: true,
    });
    expect(names()).toEqual(["prod/before-upgrade-first01"]);
    expect(annotation("before-upgrade-first01", PENDING_ANNOTATION)).toBeUndefined();
    expect(annotation("before-upgrade-first01", CLAIM_ANNOTATION)).toBe(result.outs["claim"]);
    expect(result.outs["claim"]).not.toBe("lost-before-upgrade-first01");
    expect(deps.logs.info.join("\n")).toMatch(
      /taking over prod\/before-upgrade-first01, the snapshot an interrupted run/,
    );
  });

  it("deletes a leftover of other inputs, or keeps it as history when it is ready and history is kept", async () => {
    const first = setup();
    await first.interrupted("before-upgrade-old0001", { triggers: ["v1"] });
    await first.provider.create(checkedInputs({ name: "before-upgrade-new0001", triggers: ["v2"] }));
    expect(first.names()).toEqual(["prod/before-upgrade-new0001"]);

    const kept = setup();
    await kept.interrupted("before-upgrade-old0001", { triggers: ["v1"] });
    const result = await kept.provider.create(
      checkedInputs({ name: "before-upgrade-new0001", triggers: ["v2"], history: 1 }),
    );
    expect(kept.names()).toEqual(["prod/before-upgrade-new0001", "prod/before-upgrade-old0001"]);
    expect(kept.cluster.snapshots.get("prod/before-upgrade-old0001")?.metadata.labels?.[HISTORY_LABEL]).toBe(
      "true",
    );
    expect(kept.annotation("before-upgrade-old0001", PENDING_ANNOTATION)).toBeUndefined();
    expect((result.outs["keptHistory"] as { name: string }[]).map((e) => e.name)).toEqual([
      "before-upgrade-old0001",
    ]);
  });

  it("deletes a Failed leftover of the same inputs and takes a new snapshot", async () => {
    const { cluster, provider, names, interrupted } = setup();
    cluster.onCreate = undefined;
    await interrupted("before-upgrade-failed1");
    cluster.update("prod", "before-upgrade-failed1", (s) => {
      firstStatus(s);
      deadlineExceeded(s);
    });
    playKubevirt(cluster, [firstStatus, locked(["GuestAgent", "Online"]), succeeded(), ready]);
    const result = await provider.create(checkedInputs({ name: "before-upgrade-fresh01" }));
    expect(result.id).toBe("prod/before-upgrade-fresh01");
    expect(names()).toEqual(["prod/before-upgrade-fresh01"]);
  });

  it("never takes over for a fixed name, and never touches the committed snapshot a replacement is about to delete", async () => {
    const { provider, names, interrupted } = setup();
    const current = await provider.create(checkedInputs({ name: "before-upgrade-cur0001" }));
    // `pulumi up --replace`: same inputs, a new name; the current snapshot is committed, not a leftover.
    const replacement = await provider.create(checkedInputs({ name: "before-upgrade-new0001" }));
    expect(replacement.id).toBe("prod/before-upgrade-new0001");
    expect(names()).toEqual(["prod/before-upgrade-cur0001", "prod/before-upgrade-new0001"]);
    await provider.delete(current.id, current.outs);
    expect(names()).toEqual(["prod/before-upgrade-new0001"]);

    await interrupted("other-name-0000001");
    const fixed = await provider.create(checkedInputs({ name: "db-fixed", autoNamed: false }));
    expect(fixed.id).toBe("prod/db-fixed");
    expect(names()).toEqual(["prod/before-upgrade-new0001", "prod/db-fixed"]);
  });
});

describe("delete with leftovers and claims (fake cluster)", () => {
  it("a destroy deletes the resource's leftovers and its history, even when an interrupted replacement made it history", async () => {
    const { cluster, provider, names, interrupted } = setup();
    const current = await provider.create(checkedInputs({ name: "before-upgrade-cur0001", history: 1 }));
    await interrupted("before-upgrade-new0001", { history: 1, triggers: ["v2"] });
    // The interrupted replacement had already taken the current snapshot over as history.
    cluster.update(
      "prod",
      "before-upgrade-cur0001",
      (s) => (s.metadata.labels = { ...s.metadata.labels, [HISTORY_LABEL]: "true" }),
    );
    await provider.delete(current.id, current.outs);
    expect(names()).toEqual([]);
  });

  it("leaves a snapshot a later create took over (another claim), so the replacement's delete of the old state keeps it", async () => {
    const { cluster, deps, provider, names } = setup([firstStatus, locked(["GuestAgent", "Online"])]);
    // Two creates in one millisecond would get one claim from the test's fixed suffix: give each its own.
    const suffixes = ["str0001", "nxt0001"];
    deps.suffix = () => suffixes.shift() ?? "abc1234";
    // A create whose wait was cut (API unreachable): kept in state as a partial failure, its marker not cleared.
    cluster.failWith = { verbs: ["watch", "patch"], code: 403 };
    const stranded = await provider.create(checkedInputs({ name: "before-upgrade-str0001" })).then(
      () => undefined,
      (error: unknown) => (error as PartialFailureError).properties,
    );
    cluster.failWith = undefined;
    expect(stranded).toBeDefined();
    cluster.update("prod", "before-upgrade-str0001", (s) => {
      succeeded()(s);
      ready(s);
    });
    const next = await provider.create(checkedInputs({ name: "before-upgrade-nxt0001" }));
    expect(next.id).toBe("prod/before-upgrade-str0001");
    await provider.delete("prod/before-upgrade-str0001", stranded ?? {});
    expect(names()).toEqual(["prod/before-upgrade-str0001"]);
    await provider.delete(next.id, next.outs);
    expect(names()).toEqual([]);
  });
});

describe("read of a pending snapshot (an import of a pending create)", () => {
  it("accepts <namespace>/<name> or a bare name with the inputs' namespace, and marks the snapshot recorded", async () => {
    const { provider, annotation, interrupted } = setup();
    await interrupted("before-upgrade-imp0001");
    const inputs = checkedInputs({ name: "before-upgrade-imp0001" });
    const bare = await provider.read("before-upgrade-imp0001", inputs);
    expect(bare.id).toBe("prod/before-upgrade-imp0001");
    expect(bare.props).toMatchObject({ readyToUse: true, claim: "lost-before-upgrade-imp0001" });
    expect(annotation("before-upgrade-imp0001", PENDING_ANNOTATION)).toBeUndefined();
    const full = await provider.read("prod/before-upgrade-imp0001", inputs);
    expect(full.id).toBe("prod/before-upgrade-imp0001");
  });

  it("refuses a bare name when no namespace is known, naming the form to use", async () => {
    const { provider } = setup();
    for (const id of ["prod/x/extra", "/x", "prod/"])
      await expect(provider.read(id, { namespace: "prod" })).rejects.toThrow(
        /is not <namespace>\/<name>\. Fix:/,
      );
    await expect(provider.read("before-upgrade-x", {})).rejects.toThrow(
      /is not <namespace>\/<name>.*Fix: give the id as <namespace>\/<name>/s,
    );
  });
});
