/**
 * Property tests of `VMSnapshot`'s `check` and `diff`, through the provider (`createVmSnapshotProvider`).
 *
 * Generated: programs field by field (arbitraries.ts): valid values, certainly invalid ones (wrong types,
 * out of range, "5x"/"-1m"/""/past-Go-range durations, bad names and label keys, reserved prefixes), JSON
 * junk, Pulumi's unknown sentinel, absent fields and unknown keys, with olds that are absent, earlier checked
 * inputs (also with a garbage name) or junk; for `diff`, stored outputs as this build writes them, as the
 * first build wrote them, cut short, with wrong types and `null`s, against checked inputs (some values
 * unknown, as in preview).
 *
 * Asserted: `check` never throws and follows Pulumi's contract (check-contract.ts: every failure names its
 * property, shows the bad value and a fix, every invalid field and unknown key is reported, nothing valid is,
 * unknown values pass through); inputs it accepts are accepted again by `create`'s re-validation and carry
 * a valid Kubernetes name. `diff` never throws, replaces only inputs or the documented status keys
 * (`phase`, `readyToUse`), deletes before replacing only when it replaces and never for a generated name,
 * shows no change for the state of an unchanged program (this build's or the first build's), and classifies
 * a change of one input as the architecture documents it (replace or in-place).
 */
import fc from "fast-check";
import { isDns1123Subdomain } from "../../../shared/names";
import { createVmSnapshotProvider, readInputs } from "../../../provider/snapshot/provider";
import { FakeCluster } from "../../support/fake-cluster";
import { testDeps } from "../../support/test-deps";
import {
  checkOlds,
  inputsFrom,
  params,
  storedJunk,
  storedMutation,
  mutated,
  UNKNOWN,
  unknownKeys,
  validOnly,
  type GeneratedInputs,
} from "./arbitraries";
import { expectCheckContract } from "./check-contract";
import { INPUT_KEYS, model, subject } from "./snapshot-model";

type Props = Record<string, unknown>;

const provider = createVmSnapshotProvider(testDeps(new FakeCluster()));
const ID = "prod/snap-abc1234";

/** docs/architecture.md "diff": inputs that reach the immutable spec or pick another object or cluster. */
const REPLACING = ["namespace", "vmName", "name", "failureDeadline", "deletionPolicy", "triggers", "context"];
/** The live snapshot's own reasons for a replacement (snapshot/diff.ts `statusReplaceKey`). */
const STATUS_KEYS = ["phase", "readyToUse"];
/** The keys of the state create stores. */
const STORED_KEYS = [
  ...INPUT_KEYS,
  ...STATUS_KEYS,
  "autoNamed",
  "__provider",
  "snapshotName",
  "apiVersion",
  "keptHistory",
  "consistency",
  "contentName",
];

const programs: fc.Arbitrary<{ generated: GeneratedInputs; olds: Props | undefined }> = inputsFrom(
  model,
  unknownKeys(INPUT_KEYS),
).chain((generated) => checkOlds(generated.news, INPUT_KEYS).map((olds) => ({ generated, olds })));

const hasUnknown = (g: GeneratedInputs) => Object.values(g.fields).some((t) => t.verdict === "unknown");

/** Mostly well-formed programs (most pass check), with olds: what create gets after check. */
const mostlyValid = fc.oneof(
  {
    weight: 3,
    arbitrary: validOnly(model).chain((generated) =>
      checkOlds(generated.news, INPUT_KEYS).map((olds) => ({ generated, olds })),
    ),
  },
  { weight: 1, arbitrary: programs },
);

describe("VMSnapshot check (property)", () => {
  it("never throws, and every failure names its property, the bad value and a fix; every problem is reported", async () => {
    await fc.assert(
      fc.asyncProperty(programs, async ({ generated, olds }) => {
        const result = await provider.check(olds, generated.news);
        expectCheckContract(subject, generated, result);
      }),
      params(3000),
    );
  });

  it("accepts what create accepts: inputs without failures pass create's re-validation, with a valid name", async () => {
    await fc.assert(
      fc.asyncProperty(mostlyValid, async ({ generated, olds }) => {
        const { inputs = {}, failures = [] } = await provider.check(olds, generated.news);
        if (failures.length > 0 || hasUnknown(generated)) return;
        const created = readInputs(inputs);
        expect(isDns1123Subdomain(created.name)).toBe(true);
        expect(created.autoNamed).toBe(generated.news["name"] === undefined);
      }),
      params(1000),
    );
  });
});

// ---- diff ----

/** Well-formed programs that pass check (the rules spanning fields avoided). */
const wellFormed: fc.Arbitrary<Props> = validOnly(model)
  .filter(({ news }) => subject.crossField(news).length === 0)
  .map(({ news }) => news);

/** `check`, expected to pass: the checked inputs `diff` gets. */
async function checked(news: Props): Promise<Props> {
  const { inputs = {}, failures = [] } = await provider.check(undefined, news);
  expect(failures).toEqual([]);
  return inputs;
}

/** The live snapshot's status as stored: ready, or in one of the states that call for a replacement. */
const statusArb = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ phase: "Succeeded", readyToUse: true }) },
  {
    weight: 2,
    arbitrary: fc.record({
      phase: fc.oneof(
        fc.constantFrom("Succeeded", "InProgress", "Failed", "Deleting", "", "Unknown"),
        storedJunk,
      ),
      readyToUse: fc.oneof(fc.boolean(), storedJunk),
    }),
  },
);

/** What create stores: the checked inputs (with `__provider`) and the status outputs. */
function outputsOf(inputs: Props, status: Props): Props {
  return {
    ...inputs,
    snapshotName: inputs["name"],
    apiVersion: "v1beta1",
    uid: "uid-1",
    creationTime: "2026-11-29T10:00:00Z",
    online: true,
    guestAgentConnected: true,
    consistency: "frozen",
    indications: ["GuestAgent", "Online"],
    sourceIndications: [],
    includedVolumes: ["rootdisk"],
    excludedVolumes: [],
    contentName: "vmsnapshot-content-uid-1",
    error: "",
    sourceUid: "vm-uid-db-1",
    keptHistory: [],
    ...status,
  };
}

/** The first build's state: no history, retainHistoryOnDestroy, adopt, keptHistory or consistency. */
function firstBuild(state: Props): Props {
  const {
    history: _h,
    retainHistoryOnDestroy: _r,
    adopt: _a,
    keptHistory: _k,
    consistency: _c,
    ...rest
  } = state;
  return rest;
}

/** Stored olds of every kind, for checked news; and the news with some values unknown (preview). */
const diffCases = wellFormed.chain((news) =>
  fc.tuple(
    fc.constant(news),
    statusArb,
    fc.oneof(
      { weight: 2, arbitrary: fc.constant("current") },
      { weight: 1, arbitrary: fc.constant("first-build") },
      { weight: 3, arbitrary: fc.constant("mutated") },
      { weight: 1, arbitrary: fc.constant("junk") },
    ),
    fc.subarray(INPUT_KEYS, { maxLength: 2 }),
    fc.dictionary(fc.constantFrom(...INPUT_KEYS, ...STATUS_KEYS, "autoNamed", "__provider"), storedJunk, {
      maxKeys: 5,
      noNullPrototype: true,
    }),
    storedMutation(STORED_KEYS),
  ),
);

describe("VMSnapshot diff (property)", () => {
  it("never throws; replaces only inputs and the documented status keys; deletes first only when replacing a fixed name", async () => {
    await fc.assert(
      fc.asyncProperty(diffCases, async ([news, status, shape, unknown, junkState, mutation]) => {
        const inputs = await checked(news);
        const current = outputsOf(inputs, status);
        const olds =
          shape === "current"
            ? current
            : shape === "first-build"
              ? firstBuild(current)
              : shape === "mutated"
                ? mutated(current, mutation)
                : junkState;
        const previewNews = { ...inputs, ...Object.fromEntries(unknown.map((k) => [k, UNKNOWN])) };
        const diff = await provider.diff(ID, olds, previewNews);
        expect(Object.keys(diff).sort()).toEqual(["changes", "deleteBeforeReplace", "replaces"]);
        expect(typeof diff.changes).toBe("boolean");
        expect(typeof diff.deleteBeforeReplace).toBe("boolean");
        const replaces = diff.replaces ?? [];
        for (const key of replaces) expect([...INPUT_KEYS, ...STATUS_KEYS]).toContain(key);
        expect(new Set(replaces).size).toBe(replaces.length);
        if (replaces.length > 0) expect(diff.changes).toBe(true);
        if (diff.deleteBeforeReplace) expect(replaces.length).toBeGreaterThan(0);
        if (previewNews["autoNamed"] === true) expect(diff.deleteBeforeReplace).toBe(false);
        // An input whose new value is unknown may differ: a replacing one is replaced.
        for (const key of unknown) if (REPLACING.includes(key)) expect(replaces).toContain(key);
      }),
      params(1500),
    );
  });

  it("shows no change for the state of an unchanged program, written by this build or the first", async () => {
    await fc.assert(
      fc.asyncProperty(wellFormed, fc.boolean(), async (news, older) => {
        const inputs = await checked(news);
        const stored = outputsOf(inputs, { phase: "Succeeded", readyToUse: true });
        const atDefaults =
          inputs["history"] === 0 && inputs["retainHistoryOnDestroy"] === false && inputs["adopt"] === false;
        const olds = older && atDefaults ? firstBuild(stored) : stored;
        // The engine re-checks with the stored inputs as olds: the name chosen before is kept.
        const again = await provider.check(olds, news);
        expect(await provider.diff(ID, olds, again.inputs ?? {})).toEqual({
          changes: false,
          replaces: [],
          deleteBeforeReplace: false,
        });
      }),
      params(500),
    );
  });

  it("replaces for a change of a replacing input and updates in place for any other", async () => {
    await fc.assert(
      fc.asyncProperty(wellFormed, wellFormed, fc.constantFrom(...INPUT_KEYS), async (a, b, key) => {
        const before = await checked(a);
        const after = await checked(b);
        const olds = outputsOf(before, { phase: "Succeeded", readyToUse: true });
        const news = { ...before, [key]: after[key] };
        const diff = await provider.diff(ID, olds, news);
        if (equivalent(before[key], after[key])) {
          expect(diff).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
        } else if (REPLACING.includes(key)) {
          expect(diff.replaces).toEqual([key]);
          expect(diff.changes).toBe(true);
        } else {
          expect(diff).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
        }
      }),
      params(1000),
    );
  });
});

/** Equality of stored values as the architecture states it: absent, `{}` and `[]` are the same "empty". */
function equivalent(a: unknown, b: unknown): boolean {
  const empty = (v: unknown) =>
    v === undefined || v === null || (typeof v === "object" && Object.keys(v).length === 0);
  if (empty(a) && empty(b)) return true;
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === "object")
    return Object.fromEntries(
      Object.entries(v)
        .sort(([x], [y]) => (x < y ? -1 : 1))
        .map(([k, x]) => [k, sortKeys(x)]),
    );
  return v;
}
