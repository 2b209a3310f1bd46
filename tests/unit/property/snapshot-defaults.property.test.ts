/**
 * Property tests of `VMSnapshot`'s inputs at their defaults, which this build leaves out of `check`'s result
 * and of stored state while every build before it stored them (core/defaults.ts).
 *
 * Generated: programs from the input model (snapshot-model.ts) whose defaulted inputs are often absent or
 * written at their default (`failureDeadline: "5m"`, `triggers: []`, `history: 0`, …), some with values still
 * unknown (preview); a second program derived from the first by changing, setting to the default or removing
 * some inputs; the live snapshot's status (ready, or Failed/unready); and stored state as earlier builds wrote
 * it (every default stored; the first build's shape without `history`, `retainHistoryOnDestroy`, `adopt`; the
 * shape before `whenVmMissing` and `skipped`) beside the state this build writes.
 *
 * Asserted: `check` leaves out every input at its default and is idempotent (checking its own result as the
 * program, with it as olds, gives the same inputs); it gives the same inputs whichever build stored the olds;
 * `diff` of state as earlier builds wrote it against this build's checked inputs equals `diff` of this build's
 * state against them, and (outside preview) equals `diff` of the earlier state against inputs checked as
 * earlier builds checked them, so upgrading changes no plan.
 */
import fc from "fast-check";
import { isDefaultValue } from "../../../provider/core/defaults";
import { providerInputsSchema, SNAPSHOT_INPUT_DEFAULTS } from "../../../provider/snapshot/inputs";
import { createVmSnapshotProvider } from "../../../provider/snapshot/provider";
import { FakeCluster } from "../../support/fake-cluster";
import { testDeps } from "../../support/test-deps";
import { inputsFrom, params, UNKNOWN, unknownKeys, validOnly } from "./arbitraries";
import { INPUT_KEYS, model, subject } from "./snapshot-model";

type Props = Record<string, unknown>;

const provider = createVmSnapshotProvider(testDeps(new FakeCluster()));
const ID = "prod/snap-abc1234";
const DEFAULTED = Object.keys(SNAPSHOT_INPUT_DEFAULTS);

/** What a program does with one defaulted input: as generated, written at its default, or left out. */
const defaultChoice = fc.constantFrom("as generated", "default", "absent");

/** `news` with each defaulted input as `choices` say (`whenVmMissing`, not in the model, also "skip"). */
function withChoices(news: Props, choices: Record<string, string>): Props {
  const out: Props = { ...news };
  for (const [key, choice] of Object.entries(choices)) {
    if (choice === "default") out[key] = structuredClone(SNAPSHOT_INPUT_DEFAULTS[key]);
    else if (choice === "absent") delete out[key];
    else if (key === "whenVmMissing") out[key] = "skip";
  }
  return out;
}

/** Well-formed programs (no failures), their defaulted inputs often absent or at their default. */
const wellFormed: fc.Arbitrary<Props> = fc
  .tuple(
    validOnly(model),
    fc.dictionary(fc.constantFrom(...DEFAULTED), defaultChoice, { noNullPrototype: true }),
  )
  .map(([generated, choices]) => withChoices(generated.news, choices))
  .filter((news) => subject.crossField(news).length === 0);

/** `check`, expected to pass. */
async function checked(olds: Props | undefined, news: Props): Promise<Props> {
  const { inputs = {}, failures = [] } = await provider.check(olds, news);
  expect(failures).toEqual([]);
  return inputs;
}

/** The inputs as every build before this one returned them from check: validated, every default applied. */
function checkedAsBefore(news: Props, now: Props): Props {
  const { __provider, ...raw } = news;
  return { ...providerInputsSchema.parse(raw), name: now["name"], autoNamed: now["autoNamed"], __provider };
}

/** What create stores: the checked inputs (with `__provider`) and the status outputs. */
function storedBy(inputs: Props, status: Props): Props {
  return {
    ...inputs,
    snapshotName: inputs["name"],
    apiVersion: "v1beta1",
    uid: "uid-1",
    online: true,
    guestAgentConnected: true,
    consistency: "frozen",
    contentName: "vmsnapshot-content-uid-1",
    keptHistory: [],
    skipped: false,
    ...status,
  };
}

/** Earlier builds' shapes of state: all inputs stored, or without the inputs added later (when at default). */
function earlierShape(state: Props, shape: string): Props {
  const out = { ...state };
  const drop =
    shape === "first build"
      ? [
          "history",
          "retainHistoryOnDestroy",
          "adopt",
          "keptHistory",
          "consistency",
          "whenVmMissing",
          "skipped",
        ]
      : shape === "before whenVmMissing"
        ? ["whenVmMissing", "skipped"]
        : [];
  for (const key of drop) {
    const fallback = SNAPSHOT_INPUT_DEFAULTS[key];
    if (fallback === undefined || isDefaultValue(out[key], fallback)) delete out[key];
  }
  return out;
}

/** The second program: the first with some inputs taken from another program (absent there: removed). */
const changed = fc
  .tuple(wellFormed, wellFormed, fc.subarray(INPUT_KEYS, { maxLength: 3 }))
  .map(([a, c, keys]) => {
    const b: Props = { ...a };
    for (const key of keys) {
      if (c[key] === undefined) delete b[key];
      else b[key] = c[key];
    }
    return { a, b };
  })
  .filter(({ b }) => subject.crossField(b).length === 0);

const status = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ phase: "Succeeded", readyToUse: true }) },
  { weight: 1, arbitrary: fc.constantFrom({ phase: "Failed", readyToUse: false }, { phase: "InProgress" }) },
);

describe("VMSnapshot inputs at their defaults (property)", () => {
  it("check leaves out every input at its default, and checking its own result gives the same inputs", async () => {
    const programs = inputsFrom(model, unknownKeys(INPUT_KEYS)).map((g) => g.news);
    await fc.assert(
      fc.asyncProperty(fc.oneof(wellFormed, programs), async (news) => {
        const first = await provider.check(undefined, news);
        const inputs = first.inputs ?? {};
        for (const key of DEFAULTED) {
          if (Object.hasOwn(inputs, key))
            expect(isDefaultValue(inputs[key], SNAPSHOT_INPUT_DEFAULTS[key])).toBe(false);
        }
        if ((first.failures ?? []).length > 0) return;
        // The program that stands for the result: what check adds (autoNamed, a generated name) taken out.
        const { autoNamed, ...program } = inputs;
        if (autoNamed === true) delete program["name"];
        const again = await provider.check(inputs, program);
        expect(again).toEqual(first);
      }),
      params(1500),
    );
  });

  it("check gives the same inputs whichever build stored the olds", async () => {
    await fc.assert(
      fc.asyncProperty(changed, async ({ a, b }) => {
        const now = await checked(undefined, a);
        const before = checkedAsBefore(a, now);
        expect(await checked(before, b)).toEqual(await checked(now, b));
      }),
      params(500),
    );
  });

  it("diff of state from earlier builds equals diff of this build's state, and the plan earlier builds made", async () => {
    const shapes = fc.constantFrom("all stored", "first build", "before whenVmMissing");
    const unknown = fc.oneof(
      { weight: 3, arbitrary: fc.constant<string[]>([]) },
      { weight: 1, arbitrary: fc.subarray(INPUT_KEYS, { minLength: 1, maxLength: 2 }) },
    );
    await fc.assert(
      fc.asyncProperty(changed, status, shapes, unknown, async ({ a, b }, live, shape, preview) => {
        const nowA = await checked(undefined, a);
        const statesNow = storedBy(nowA, live);
        const statesBefore = earlierShape(storedBy(checkedAsBefore(a, nowA), live), shape);
        const unknowns = Object.fromEntries(preview.map((k) => [k, UNKNOWN]));
        const nowB = { ...(await checked(nowA, b)), ...unknowns };
        const expected = await provider.diff(ID, statesNow, nowB);
        expect(await provider.diff(ID, statesBefore, nowB)).toEqual(expected);
        // Earlier builds checked a preview's inputs without applying defaults; outside preview, the same plan.
        if (preview.length > 0) return;
        const beforeB = checkedAsBefore(b, nowB);
        expect(await provider.diff(ID, statesBefore, beforeB)).toEqual(expected);
      }),
      params(1500),
    );
  });
});
