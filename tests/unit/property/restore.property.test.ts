/**
 * Property tests of `VMRestore` (provider/restore/provider.ts `createVmRestoreProvider`): `check`, `diff`,
 * `read` and `delete`, the last two against the in-memory cluster (tests/support/fake-cluster.ts).
 *
 * Generated: programs field by field (arbitraries.ts: valid, certainly invalid, junk, Pulumi's unknown
 * sentinel, absent, unknown keys), including the deprecated `deadline` alone, equal to `timeout` or
 * conflicting with it; for `diff`, stored outputs as this build writes them, as the first build wrote them
 * (`deadline` instead of `timeout`), cut short, with junk and `null`s, complete or not, against checked
 * inputs (some unknown, as in preview); for `read`/`delete`, stored state of the same shapes with the
 * deciding field (`RESTORE_DELETE_DECIDING`: context) often unreadable, and ids (the resource's own, the
 * other objects', other well-formed ones, garbage such as "", "a/b/c", "/x"), over a cluster holding the
 * resource's restore, another restore of the same VM, a restore in another namespace, the snapshot and the
 * VM.
 *
 * Asserted: `check` never throws and follows the contract of check-contract.ts (a `deadline` that conflicts
 * with `timeout` is reported on `deadline`; a lone one becomes `timeout`), and what it accepts `create`'s
 * re-validation accepts, with a valid name. `diff` never throws, replaces only inputs or `complete`, always
 * deletes before replacing and only then, shows no change for an unchanged program's state (either build's),
 * and replaces for a change of any input but the waits and markers. `read` and `delete` fail only with
 * ProviderErrors; `read` changes nothing; `delete` refuses before any call when the context cannot be read or
 * the id is malformed (naming it and the fix, every object as it was), and otherwise deletes at most the
 * restore the id names, never a snapshot, a VM or another restore.
 */
import fc from "fast-check";
import { isProviderError } from "../../../provider/core/errors";
import { productionDeps } from "../../../provider/index";
import type { VirtualMachineRestore } from "../../../provider/kube/types";
import { createVmRestoreProvider, readRestoreInputs } from "../../../provider/restore/provider";
import { vmRestoreArgsShape } from "../../../shared/restore-args";
import { isDns1123Subdomain } from "../../../shared/names";
import { FakeCluster } from "../../support/fake-cluster";
import { vmFixture } from "../../support/kubevirt-script";
import { testDeps } from "../../support/test-deps";
import {
  checkOlds,
  durationField,
  enumField,
  idArb,
  inputsFrom,
  mutated,
  nameField,
  params,
  plainJson,
  storedDeleteTimeout,
  storedJunk,
  storedMutation,
  textField,
  triggersField,
  UNKNOWN,
  unknownKeys,
  validOnly,
  type GeneratedInputs,
} from "./arbitraries";
import { expectCheckContract, type CheckSubject } from "./check-contract";

type Props = Record<string, unknown>;

const OWN_NAME = "rollback-abc1234";
const OWN_ID = `prod/${OWN_NAME}`;
/** The ground's other objects, by id (another restore of the VM, one in staging, the snapshot). */
const OTHER_IDS = ["prod/manual-restore", `staging/${OWN_NAME}`, "prod/snap-1"];

const INPUT_KEYS = [...Object.keys(vmRestoreArgsShape), "resourceName", "owner"];
/** docs/architecture.md "One restore": every input but the waits (and the SDK's markers) replaces. */
const IN_PLACE = ["timeout", "deleteTimeout", "resourceName", "owner"];
const REPLACING = INPUT_KEYS.filter((k) => !IN_PLACE.includes(k));

const model = {
  namespace: nameField("label", true),
  snapshotName: nameField("subdomain", true),
  targetVmName: nameField("subdomain", false),
  name: nameField("subdomain", false),
  targetReadinessPolicy: enumField(["WaitGracePeriod", "StopTarget", "FailImmediate", "WaitEventually"]),
  volumeRestorePolicy: enumField(["RandomizeNames", "InPlace", "PrefixTargetName"]),
  timeout: durationField(false),
  deadline: durationField(false),
  deleteTimeout: durationField(false),
  triggers: triggersField,
  context: textField(false),
  resourceName: textField(true),
  owner: textField(true),
};

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

const subject: CheckSubject = {
  knownKeys: [...INPUT_KEYS, "deadline"],
  crossFieldKeys: [],
  aliases: ["deadline"],
  // A `deadline` next to a different `timeout` is reported on `deadline` (deadline-alias.ts).
  crossField: (news) => {
    const { deadline, timeout } = news;
    const judged = [deadline, timeout].every((v) => v !== undefined && !JSON.stringify(v).includes(UNKNOWN));
    return judged && !sameJson(deadline, timeout) ? ["deadline"] : [];
  },
};

function provider() {
  const cluster = new FakeCluster();
  const deps = testDeps(cluster, { timer: productionDeps({}).timer });
  return { cluster, deps, provider: createVmRestoreProvider(deps) };
}

const checkProvider = provider();
const programs = inputsFrom(model, unknownKeys([...INPUT_KEYS, "deadline"]));
const withOlds = (g: GeneratedInputs) => checkOlds(g.news, INPUT_KEYS).map((olds) => ({ g, olds }));
const programsWithOlds: fc.Arbitrary<{ g: GeneratedInputs; olds: Props | undefined }> =
  programs.chain(withOlds);
/** Mostly well-formed programs (most pass check), with olds: what create gets after check. */
const mostlyValid = fc.oneof(
  { weight: 3, arbitrary: validOnly(model).chain(withOlds) },
  { weight: 1, arbitrary: programsWithOlds },
);

describe("VMRestore check (property)", () => {
  it("never throws, and every failure names its property, the bad value and a fix; every problem is reported", async () => {
    await fc.assert(
      fc.asyncProperty(programsWithOlds, async ({ g, olds }) => {
        const result = await checkProvider.provider.check(olds, g.news);
        expectCheckContract(subject, g, result);
        const { deadline, timeout } = g.news;
        const lone = typeof deadline === "string" && timeout === undefined;
        if (lone && !(result.failures ?? []).some((f) => f.property === "deadline")) {
          expect(result.inputs?.["timeout"]).toBe(deadline);
          expect(result.inputs).not.toHaveProperty("deadline");
        }
      }),
      params(3000),
    );
  });

  it("accepts what create accepts: inputs without failures pass create's re-validation, with a valid name", async () => {
    await fc.assert(
      fc.asyncProperty(mostlyValid, async ({ g, olds }) => {
        const { inputs = {}, failures = [] } = await checkProvider.provider.check(olds, g.news);
        if (failures.length > 0 || Object.values(g.fields).some((t) => t.verdict === "unknown")) return;
        const created = readRestoreInputs(inputs);
        expect(isDns1123Subdomain(created.name)).toBe(true);
        expect(created.autoNamed).toBe(g.news["name"] === undefined);
      }),
      params(1000),
    );
  });
});

// ---- diff ----

/** Well-formed programs (no conflicting deadline). */
const wellFormed: fc.Arbitrary<Props> = validOnly(model)
  .filter(({ news }) => subject.crossField(news).length === 0)
  .map(({ news }) => news);

async function checked(news: Props): Promise<Props> {
  const { inputs = {}, failures = [] } = await checkProvider.provider.check(undefined, news);
  expect(failures).toEqual([]);
  return inputs;
}

/** What create stores for a restore: checked inputs and the status outputs. */
function outputsOf(inputs: Props, complete: unknown): Props {
  return {
    ...inputs,
    restoreName: inputs["name"],
    apiVersion: "v1beta1",
    uid: "uid-1",
    targetVm: "db-1",
    complete,
    restoreTime: "2026-11-29T10:00:00Z",
    progressing: "Operation complete",
    failure: "",
    restores: [],
  };
}

/** The first build's state: the wait bound as `deadline`. */
function firstBuild(state: Props): Props {
  const { timeout, ...rest } = state;
  return { ...rest, deadline: timeout };
}

const STORED_KEYS = [
  ...INPUT_KEYS,
  "autoNamed",
  "__provider",
  "complete",
  "restoreName",
  "apiVersion",
  "deadline",
];

describe("VMRestore diff (property)", () => {
  it("never throws; replaces only inputs or complete; always deletes first, and only when replacing", async () => {
    await fc.assert(
      fc.asyncProperty(
        wellFormed,
        fc.oneof(fc.boolean(), storedJunk),
        fc.constantFrom("current", "first-build", "mutated", "mutated", "junk"),
        storedMutation(STORED_KEYS),
        fc.dictionary(fc.constantFrom(...STORED_KEYS), storedJunk, { maxKeys: 5, noNullPrototype: true }),
        fc.subarray(INPUT_KEYS, { maxLength: 2 }),
        async (news, complete, shape, mutation, junkState, unknown) => {
          const inputs = await checked(news);
          const current = outputsOf(inputs, complete);
          const olds =
            shape === "current"
              ? current
              : shape === "first-build"
                ? firstBuild(current)
                : shape === "mutated"
                  ? mutated(current, mutation)
                  : junkState;
          const previewNews = { ...inputs, ...Object.fromEntries(unknown.map((k) => [k, UNKNOWN])) };
          const diff = await checkProvider.provider.diff(OWN_ID, olds, previewNews);
          expect(Object.keys(diff).sort()).toEqual(["changes", "deleteBeforeReplace", "replaces"]);
          const replaces = diff.replaces ?? [];
          for (const key of replaces) expect([...INPUT_KEYS, "complete"]).toContain(key);
          expect(new Set(replaces).size).toBe(replaces.length);
          expect(diff.deleteBeforeReplace).toBe(replaces.length > 0);
          if (replaces.length > 0) expect(diff.changes).toBe(true);
          // A restore not known to be complete is run again.
          if (olds["complete"] !== true) expect(replaces).toContain("complete");
          for (const key of unknown) if (REPLACING.includes(key)) expect(replaces).toContain(key);
        },
      ),
      params(1500),
    );
  });

  it("shows no change for the state of an unchanged program, written by this build or the first", async () => {
    await fc.assert(
      fc.asyncProperty(wellFormed, fc.boolean(), async (news, older) => {
        const inputs = await checked(news);
        const stored = outputsOf(inputs, true);
        const olds = older ? firstBuild(stored) : stored;
        const again = await checkProvider.provider.check(olds, news);
        expect(await checkProvider.provider.diff(OWN_ID, olds, again.inputs ?? {})).toEqual({
          changes: false,
          replaces: [],
          deleteBeforeReplace: false,
        });
      }),
      params(500),
    );
  });

  it("replaces (deleting first) for a change of any input but the waits and markers, which update in place", async () => {
    await fc.assert(
      fc.asyncProperty(wellFormed, wellFormed, fc.constantFrom(...INPUT_KEYS), async (a, b, key) => {
        const before = await checked(a);
        const after = await checked(b);
        const olds = outputsOf(before, true);
        const diff = await checkProvider.provider.diff(OWN_ID, olds, { ...before, [key]: after[key] });
        const empty = (v: unknown) =>
          v === undefined || v === null || (typeof v === "object" && Object.keys(v).length === 0);
        const same = (empty(before[key]) && empty(after[key])) || sameJson(before[key], after[key]);
        if (same) expect(diff).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
        else if (REPLACING.includes(key))
          expect(diff).toEqual({ changes: true, replaces: [key], deleteBeforeReplace: true });
        else expect(diff).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
      }),
      params(1000),
    );
  });
});

// ---- read and delete ----

function restore(namespace: string, name: string, target: string, complete: boolean): VirtualMachineRestore {
  return {
    apiVersion: "snapshot.kubevirt.io/v1beta1",
    kind: "VirtualMachineRestore",
    metadata: {
      namespace,
      name,
      uid: `uid-${name}`,
      annotations: { "pulumi-kubevirt-snapshot.io/owner": `proj/dev/${name}` },
      finalizers: ["snapshot.kubevirt.io/vmrestore-protection"],
    },
    spec: {
      target: { apiGroup: "kubevirt.io", kind: "VirtualMachine", name: target },
      virtualMachineSnapshotName: "snap-1",
    },
    status: { complete, restoreTime: complete ? "2026-11-29T10:00:00Z" : undefined },
  };
}

/** A cluster with the resource's restore, another restore of the VM, one in staging, the snapshot and the VM. */
function ground() {
  const made = provider();
  const { cluster } = made;
  // KubeVirt releases its finalizer 3 ms after a delete, so a delete waits as it does for real.
  cluster.onRestoreDelete = (r) => {
    const { namespace = "", name = "" } = r.metadata;
    setTimeout(() => cluster.updateRestore(namespace, name, (live) => (live.metadata.finalizers = [])), 3);
  };
  const { vm } = vmFixture({ running: false });
  cluster.addVm(vm);
  cluster.snapshots.set("prod/snap-1", {
    metadata: { namespace: "prod", name: "snap-1", uid: "uid-snap-1" },
    spec: { source: { apiGroup: "kubevirt.io", kind: "VirtualMachine", name: "db-1" } },
    status: { phase: "Succeeded", readyToUse: true },
  });
  cluster.seedRestore(restore("prod", OWN_NAME, "db-1", true));
  cluster.seedRestore(restore("prod", "manual-restore", "db-1", true));
  cluster.seedRestore(restore("staging", OWN_NAME, "db-1", true));
  return made;
}

function objects(cluster: FakeCluster): Record<string, string> {
  const all: [string, unknown][] = [
    ...[...cluster.restores].map(([k, r]): [string, unknown] => [`restore:${k}`, r]),
    ...[...cluster.snapshots].map(([k, s]): [string, unknown] => [`snapshot:${k}`, s]),
    ...[...cluster.vms].map(([k, v]): [string, unknown] => [`vm:${k}`, v]),
  ];
  return Object.fromEntries(all.map(([k, v]) => [k, JSON.stringify(v)]));
}

const CURRENT: Props = outputsOf(
  {
    namespace: "prod",
    snapshotName: "snap-1",
    name: OWN_NAME,
    autoNamed: true,
    targetReadinessPolicy: "WaitGracePeriod",
    volumeRestorePolicy: "RandomizeNames",
    timeout: "10m",
    deleteTimeout: "5m",
    triggers: [],
    resourceName: "rollback",
    owner: "proj/dev/rollback",
    __provider: "exports.handler = () => ({});",
  },
  true,
);

const stateArb: fc.Arbitrary<Props | undefined> = fc
  .tuple(
    fc.constantFrom("current", "first-build", "mutated", "mutated", "undefined"),
    storedMutation(Object.keys(CURRENT)),
    fc.option(fc.oneof(fc.constantFrom("kind-dev", "", "other"), storedJunk), { nil: undefined }),
    fc.option(storedDeleteTimeout, { nil: undefined }),
  )
  .map(([shape, mutation, context, deleteTimeout]) => {
    if (shape === "undefined") return undefined;
    const base =
      shape === "current"
        ? CURRENT
        : shape === "first-build"
          ? firstBuild(CURRENT)
          : mutated(CURRENT, mutation);
    return {
      ...base,
      ...(context === undefined ? {} : { context }),
      ...(deleteTimeout === undefined ? {} : { deleteTimeout }),
    };
  });

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
function wellFormedId(id: string): boolean {
  const parts = id.split("/");
  const [ns = "", name = ""] = parts;
  return (
    parts.length === 2 &&
    ns.length <= 63 &&
    LABEL.test(ns) &&
    name.length <= 253 &&
    name.split(".").every((p) => LABEL.test(p))
  );
}

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

describe("VMRestore read and delete (property)", () => {
  it("read settles or fails with a ProviderError, changes nothing, and answers for the restore the id names", async () => {
    await fc.assert(
      fc.asyncProperty(idArb(OWN_ID, OTHER_IDS), stateArb, async (id, state) => {
        const { cluster, provider: p } = ground();
        const before = objects(cluster);
        const outcome = await settle(() => p.read(id, state));
        expect(objects(cluster)).toEqual(before);
        for (const call of cluster.calls) expect(["discover", "get-restore"]).toContain(call);
        if (!outcome.ok || outcome.value.id === undefined) return;
        expect(outcome.value.props).not.toHaveProperty("__provider");
        expect(plainJson(outcome.value.props)).toBe(true);
        if (wellFormedId(id)) {
          expect(outcome.value.id).toBe(id);
          expect(outcome.value.props?.["restoreName"]).toBe(id.split("/")[1]);
        }
      }),
      params(300),
    );
  });

  it("delete refuses on an unreadable context or a malformed id, touching nothing; else deletes at most the restore the id names", async () => {
    await fc.assert(
      fc.asyncProperty(idArb(OWN_ID, OTHER_IDS), stateArb, async (id, state) => {
        const { cluster, deps, provider: p } = ground();
        const before = objects(cluster);
        const context = state?.["context"];
        const unreadable = context !== undefined && typeof context !== "string";
        const outcome = await settle(() => p.delete(id, state as Props));
        if (unreadable || !wellFormedId(id)) {
          expect(outcome.ok).toBe(false);
          const message = outcome.ok ? "" : outcome.message;
          if (unreadable) expect(message).toContain("the stored context is");
          if (!wellFormedId(id)) expect(message).toContain("is not <namespace>/<name>");
          expect(message).toContain("nothing was deleted");
          expect(message).toContain("Fix:");
          expect(cluster.calls).toEqual([]);
          expect(deps.contexts).toEqual([]);
          expect(objects(cluster)).toEqual(before);
          return;
        }
        expect(outcome).toEqual({ ok: true, value: undefined });
        for (const used of deps.contexts)
          expect(used).toBe(typeof context === "string" && context ? context : undefined);
        const gone = Object.keys(before).filter((k) => !(k in objects(cluster)));
        expect(gone.filter((k) => k !== `restore:${id}`)).toEqual([]);
        if (id === OWN_ID) expect(gone).toEqual([`restore:${OWN_ID}`]);
      }),
      params(300),
    );
  });
});
