/**
 * Property tests of `VMSnapshot`'s `read` and `delete` over stored state of any shape, against the in-memory
 * cluster (tests/support/fake-cluster.ts) through the provider (`createVmSnapshotProvider`).
 *
 * Generated: stored state derived from what this build writes for a resource with history (cut short, keys
 * given wrong types or junk, `null`s, the first build's shape without the later inputs), with the fields
 * that decide a delete (`SNAPSHOT_DELETE_DECIDING`: context, owner, retainHistoryOnDestroy) often unreadable
 * or pointing elsewhere; and ids: the resource's own, those of the other objects below, other well-formed
 * ones, and garbage ("", "a/b/c", "/x", unicode). Each run starts from a cluster holding the resource's snapshot, two history snapshots of
 * its owner, a snapshot and a history snapshot of another owner, a hand-made snapshot, and a history
 * snapshot of the same owner in another namespace, and one carrying the owner's labels but another owner's
 * annotation.
 *
 * Asserted: `read` and `delete` settle or fail only with the provider's own error (`isProviderError`), never
 * another exception; `read` changes nothing in the cluster, never writes `__provider` or `undefined`
 * back, and answers for the object the id names; `delete` with an unreadable deciding field or an id that
 * is not `<namespace>/<name>` refuses before touching the cluster (no call, every object as it was), naming
 * each such field and the fix; otherwise it connects with the stored context, deletes the resource's own
 * snapshot when the id names it, and never deletes a snapshot of another owner or a hand-made one that the
 * id does not name.
 */
import fc from "fast-check";
import { isProviderError } from "../../../provider/core/errors";
import { productionDeps } from "../../../provider/index";
import type { VirtualMachineSnapshot } from "../../../provider/kube/types";
import { ownerHash } from "../../../provider/snapshot/ownership";
import { createVmSnapshotProvider } from "../../../provider/snapshot/provider";
import { SNAPSHOT_DELETE_DECIDING } from "../../../provider/snapshot/state";
import { FakeCluster } from "../../support/fake-cluster";
import { releaseOnDelete } from "../../support/kubevirt-script";
import { checkedInputs, testDeps } from "../../support/test-deps";
import {
  idArb,
  mutated,
  params,
  plainJson,
  storedDeleteTimeout,
  storedJunk,
  storedMutation,
  type StoredMutation,
} from "./arbitraries";

type Props = Record<string, unknown>;

const OWNER = "proj/dev/before-upgrade";
const OTHER_OWNER = "proj/dev/other";
const OWN_NAME = "before-upgrade-abc1234";
const OWN_ID = `prod/${OWN_NAME}`;
/** What a read may ask of the cluster (nothing that changes it). */
const READ_CALLS = ["discover", "get", "list", "list-selector", "watch"];

/** A snapshot as this package labels it for `owner` (`history`: kept as history), or hand-made. */
function snapshot(namespace: string, name: string, owner?: string, history = false): VirtualMachineSnapshot {
  const labels: Record<string, string> = owner
    ? {
        "app.kubernetes.io/managed-by": "pulumi-kubevirt-snapshot",
        "pulumi-kubevirt-snapshot.io/owner-hash": ownerHash(owner),
        ...(history ? { "pulumi-kubevirt-snapshot.io/history": "true" } : {}),
      }
    : {};
  const annotations: Record<string, string> = owner
    ? {
        "pulumi-kubevirt-snapshot.io/owner": owner,
        "pulumi-kubevirt-snapshot.io/created-at": "2026-11-29T10:00:00.000Z",
      }
    : {};
  return {
    apiVersion: "snapshot.kubevirt.io/v1beta1",
    kind: "VirtualMachineSnapshot",
    metadata: {
      namespace,
      name,
      uid: `uid-${name}`,
      resourceVersion: "1",
      labels,
      annotations,
      finalizers: ["snapshot.kubevirt.io/vmsnapshot-protection"],
    },
    spec: { source: { apiGroup: "kubevirt.io", kind: "VirtualMachine", name: "db-1" } },
    status: { phase: "Succeeded", readyToUse: true, creationTime: "2026-11-29T10:00:00Z" },
  };
}

/** `s` with the owner annotation of OTHER_OWNER, whatever its labels say. */
function impostor(s: VirtualMachineSnapshot): VirtualMachineSnapshot {
  s.metadata.annotations = { ...s.metadata.annotations, "pulumi-kubevirt-snapshot.io/owner": OTHER_OWNER };
  return s;
}

/** Every object of the ground, and who owns it (by its owner annotation). */
const GROUND: { snapshot: VirtualMachineSnapshot; owner: string | undefined }[] = [
  { snapshot: snapshot("prod", OWN_NAME, OWNER), owner: OWNER },
  { snapshot: snapshot("prod", "before-upgrade-hist001", OWNER, true), owner: OWNER },
  { snapshot: snapshot("prod", "before-upgrade-hist002", OWNER, true), owner: OWNER },
  { snapshot: snapshot("prod", "other-abc1234", OTHER_OWNER), owner: OTHER_OWNER },
  { snapshot: snapshot("prod", "other-hist001", OTHER_OWNER, true), owner: OTHER_OWNER },
  { snapshot: snapshot("prod", "manual"), owner: undefined },
  // Carries OWNER's labels (copied by hand) but another owner's annotation: only the annotation confirms.
  { snapshot: impostor(snapshot("prod", "copied-labels-hist", OWNER, true)), owner: OTHER_OWNER },
  { snapshot: snapshot("staging", "before-upgrade-hist003", OWNER, true), owner: OWNER },
];

/**
 * A fresh cluster holding the ground (every snapshot with KubeVirt's finalizer, released 3 ms after a delete,
 * so a delete waits as it does for real), and a provider over it with the production timer bounds.
 */
function ground() {
  const cluster = new FakeCluster();
  for (const { snapshot: s } of GROUND)
    cluster.snapshots.set(`${s.metadata.namespace}/${s.metadata.name}`, s);
  releaseOnDelete(cluster, 3);
  const deps = testDeps(cluster, { timer: productionDeps({}).timer });
  return { cluster, deps, provider: createVmSnapshotProvider(deps) };
}

/** The cluster's objects, as JSON by key. */
function objects(cluster: FakeCluster): Record<string, string> {
  return Object.fromEntries([...cluster.snapshots].map(([k, s]) => [k, JSON.stringify(s)]));
}

/** What this build stores for the resource: history 2, owner OWNER, ready. */
const CURRENT: Props = {
  ...checkedInputs({ history: 2, retainHistoryOnDestroy: false, adopt: false, name: OWN_NAME, owner: OWNER }),
  snapshotName: OWN_NAME,
  apiVersion: "v1beta1",
  uid: `uid-${OWN_NAME}`,
  phase: "Succeeded",
  readyToUse: true,
  creationTime: "2026-11-29T10:00:00Z",
  online: true,
  guestAgentConnected: true,
  consistency: "frozen",
  contentName: "vmsnapshot-content-1",
  keptHistory: [],
};

/** The deciding fields (and the delete's bound) given values that read (maybe pointing elsewhere) or do not. */
const decidingArb = fc.record(
  {
    context: mostly(fc.constantFrom("kind-dev", "", "other")),
    owner: mostly(fc.constantFrom(OWNER, OTHER_OWNER, "", "proj/dev/nobody")),
    retainHistoryOnDestroy: mostly(fc.boolean()),
    history: mostly(fc.constantFrom(0, 2, 5, -1, 2.5)),
    deleteTimeout: storedDeleteTimeout,
  },
  { requiredKeys: [] },
);

/** Values that read, three times in four; junk otherwise. */
function mostly(readable: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 3, arbitrary: readable }, { weight: 1, arbitrary: storedJunk });
}

/** Stored state of any shape: this build's, the first build's, cut short, junk, with deciding fields set. */
const stateArb: fc.Arbitrary<Props | undefined> = fc
  .tuple(
    fc.constantFrom("current", "first-build", "mutated", "mutated", "undefined"),
    storedMutation(Object.keys(CURRENT)),
    fc.oneof(fc.constant({}), decidingArb),
  )
  .map(([shape, mutation, deciding]: [string, StoredMutation, Props]) => {
    if (shape === "undefined") return undefined;
    const {
      history: _h,
      retainHistoryOnDestroy: _r,
      adopt: _a,
      keptHistory: _k,
      consistency: _c,
      ...first
    } = CURRENT;
    const base = shape === "current" ? CURRENT : shape === "first-build" ? first : mutated(CURRENT, mutation);
    return { ...base, ...deciding };
  });

const ids = idArb(
  OWN_ID,
  GROUND.map((g) => `${g.snapshot.metadata.namespace}/${g.snapshot.metadata.name}`).filter(
    (k) => k !== OWN_ID,
  ),
);

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Whether `id` is `<namespace>/<name>` (DNS-1123 label / subdomain), the one form delete may act on. */
function wellFormed(id: string): boolean {
  const parts = id.split("/");
  if (parts.length !== 2) return false;
  const [ns = "", name = ""] = parts;
  return (
    ns.length <= 63 && LABEL.test(ns) && name.length <= 253 && name.split(".").every((p) => LABEL.test(p))
  );
}

/** The deciding fields that are set but not of the type the provider reads. */
function unreadableDeciding(state: Props | undefined): string[] {
  const expected: Record<string, string> = {
    context: "string",
    owner: "string",
    retainHistoryOnDestroy: "boolean",
  };
  return SNAPSHOT_DELETE_DECIDING.filter((field) => {
    const value = state?.[field];
    return value !== undefined && typeof value !== expected[field];
  });
}

/** Runs `action`, returning how it ended; fails the property on anything but a ProviderError. */
async function settle<T>(
  action: () => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; message: string }> {
  try {
    return { ok: true, value: await action() };
  } catch (error) {
    if (!isProviderError(error)) throw error;
    return { ok: false, message: error.message };
  }
}

describe("VMSnapshot read (property)", () => {
  it("settles or fails with a ProviderError, changes nothing, and answers for the object the id names", async () => {
    await fc.assert(
      fc.asyncProperty(ids, stateArb, async (id, state) => {
        const { cluster, provider } = ground();
        const before = objects(cluster);
        const outcome = await settle(() => provider.read(id, state));
        expect(objects(cluster)).toEqual(before);
        for (const call of cluster.calls) expect(READ_CALLS).toContain(call);
        if (!outcome.ok) return;
        const { id: readId, props } = outcome.value;
        if (readId === undefined) return;
        expect(props).toBeDefined();
        expect(plainJson(props)).toBe(true);
        expect(props).not.toHaveProperty("__provider");
        if (wellFormed(id)) {
          expect(readId).toBe(id);
          expect(cluster.snapshots.has(id)).toBe(true);
          expect(props?.["snapshotName"]).toBe(id.split("/")[1]);
        }
      }),
      params(300),
    );
  });
});

describe("VMSnapshot delete (property)", () => {
  it("refuses on an unreadable deciding field or a malformed id, touching nothing; else deletes only what the state owns", async () => {
    await fc.assert(
      fc.asyncProperty(ids, stateArb, async (id, state) => {
        const { cluster, deps, provider } = ground();
        const before = objects(cluster);
        const unreadable = unreadableDeciding(state);
        const outcome = await settle(() => provider.delete(id, state as Props));
        if (unreadable.length > 0 || !wellFormed(id)) {
          expect(outcome.ok).toBe(false);
          const message = outcome.ok ? "" : outcome.message;
          for (const field of unreadable) expect(message).toContain(`the stored ${field} is`);
          if (!wellFormed(id)) expect(message).toContain("is not <namespace>/<name>");
          expect(message).toContain("nothing was deleted");
          expect(message).toContain("Fix:");
          expect(cluster.calls).toEqual([]);
          expect(deps.contexts).toEqual([]);
          expect(objects(cluster)).toEqual(before);
          return;
        }
        // A stored deleteTimeout that is zero or negative reads as absent: the delete waits the default.
        expect(outcome).toEqual({ ok: true, value: undefined });
        const context = state?.["context"];
        for (const used of deps.contexts)
          expect(used).toBe(typeof context === "string" && context ? context : undefined);
        const owner = state?.["owner"];
        const [namespace] = id.split("/");
        const deleted = Object.keys(before).filter((k) => !cluster.snapshots.has(k));
        for (const key of deleted) {
          const held = GROUND.find(
            (g) => `${g.snapshot.metadata.namespace}/${g.snapshot.metadata.name}` === key,
          );
          const ownedByState =
            held?.owner !== undefined &&
            held.owner === owner &&
            held.snapshot.metadata.namespace === namespace;
          expect({ key, allowed: key === id || ownedByState }).toEqual({ key, allowed: true });
        }
        if (id === OWN_ID) expect(deleted).toContain(OWN_ID);
      }),
      params(300),
    );
  });
});
