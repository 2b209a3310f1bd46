/**
 * What the property tests require of one `check` result, for either resource (used by the
 * `*.property.test.ts` files of this directory).
 *
 * Generated: nothing here; the inputs come from arbitraries.ts with a verdict per field.
 *
 * Asserted (collected as a list of violations in words, so a failing run shows every rule it broke):
 * - the result has Pulumi's `CheckResult` shape: `inputs` an object, `failures` a list of
 *   `{property, reason}` with non-empty strings;
 * - every failure names a real input: its property (up to the first '.') is a key the resource knows or a
 *   key the program set;
 * - every reason names that property (an unknown input: the key, quoted, and what is accepted), shows the
 *   bad value when it is a plain value (or the bad map key), and carries a `Fix:`;
 * - every field generated certainly invalid is reported, every unknown key is named, and no field
 *   generated valid is reported unless a rule spanning fields says so;
 * - values holding Pulumi's unknown sentinel are not judged and pass through unchanged.
 */
import { isDeepStrictEqual } from "node:util";
import { containsUnknown } from "../../../provider/core/check";
import type { GeneratedInputs } from "./arbitraries";
import { shown, valueAt } from "./arbitraries";

/** What one resource's `check` is judged against. */
export interface CheckSubject {
  /** The keys the resource accepts, including the SDK's `resourceName` and `owner`. */
  knownKeys: readonly string[];
  /** Properties that the rules spanning fields must report for these inputs (no unknown values among them). */
  crossField(news: Record<string, unknown>): string[];
  /** Inputs whose unknown value keeps the rules spanning fields from being judged. */
  crossFieldKeys: readonly string[];
  /** Keys renamed before validation (VMRestore's `deadline` → `timeout`), not passed through under their own name. */
  aliases?: readonly string[];
}

/** `check`'s result as Pulumi's host sees it. */
export interface CheckResultLike {
  inputs?: Record<string, unknown>;
  failures?: { property: string; reason: string }[];
}

const top = (property: string): string => property.split(".")[0] ?? "";

/** The failures that concern `key` (the property itself or a path below it). */
function failuresOf(failures: { property: string }[], key: string) {
  return failures.filter((f) => f.property === key || f.property.startsWith(`${key}.`));
}

/** Asserts the whole contract above for one generated program and its `check` result. */
export function expectCheckContract(
  subject: CheckSubject,
  generated: GeneratedInputs,
  result: CheckResultLike,
): void {
  // Violations are collected and asserted once: thousands of runs of dozens of `expect`s are slow, and one
  // list says everything that is wrong with a counterexample.
  expect(checkContractViolations(subject, generated, result)).toEqual([]);
}

/** What breaks the contract above, in words (none: the result is as it must be). */
export function checkContractViolations(
  subject: CheckSubject,
  generated: GeneratedInputs,
  result: CheckResultLike,
): string[] {
  const { news, fields, extra } = generated;
  const violations: string[] = [];
  const fail = (what: string, about: unknown) => violations.push(`${what}: ${JSON.stringify(about)}`);
  const shape = Object.keys(result).sort().join(",");
  if (shape !== "failures,inputs") fail("result is not {inputs, failures}", shape);
  if (typeof result.inputs !== "object" || result.inputs === null)
    fail("inputs is not an object", result.inputs);
  const failures = result.failures ?? [];
  if (!Array.isArray(failures)) return [...violations, "failures is not a list"];
  const known = new Set([...subject.knownKeys, ...Object.keys(news)]);

  for (const failure of failures) {
    const { property, reason } = failure;
    if (Object.keys(failure).sort().join(",") !== "property,reason")
      fail("failure is not {property, reason}", failure);
    if (typeof property !== "string" || typeof reason !== "string" || reason.length === 0) {
      fail("failure without a property name and a reason", failure);
      continue;
    }
    if (!reason.includes("Fix:")) fail("reason gives no fix", failure);
    if (extra.includes(property)) {
      // An unknown input: named (quoted) with what the resource accepts instead.
      if (!reason.includes(`"${property}"`) || !reason.includes("accepts: "))
        fail("unknown input not named", failure);
      continue;
    }
    const name = top(property);
    if (!known.has(name)) fail("failure names no input", failure);
    if (!reason.includes(name)) fail("reason does not name its property", failure);
    const at = valueAt(news, property);
    // Plain values as JSON carries them (NaN and Infinity only reach check from a buggy caller).
    const plain =
      at.value === null ||
      typeof at.value === "string" ||
      typeof at.value === "boolean" ||
      (typeof at.value === "number" && Number.isFinite(at.value));
    if (at.found && plain) {
      const key = property.length > name.length ? property.slice(name.length + 1) : undefined;
      const shows = [shown(at.value), key === undefined ? undefined : shown(key)];
      if (!shows.some((s) => s !== undefined && reason.includes(s)))
        fail("reason does not show the bad value", failure);
    }
  }

  // Every unknown key is named by some failure.
  for (const key of extra) {
    if (!failures.some((f) => f.reason.includes(`"${key}"`))) fail("unknown key not reported", key);
  }

  const crossJudged = !subject.crossFieldKeys.some((k) => containsUnknown(news[k]));
  const cross = crossJudged ? subject.crossField(news) : [];
  for (const property of cross) {
    if (!failures.some((f) => f.property === property)) fail("rule spanning fields not reported", property);
  }

  for (const [key, t] of Object.entries(fields)) {
    const reported = failuresOf(failures, key);
    if (t.verdict === "invalid" && reported.length === 0)
      fail("invalid field not reported", { [key]: t.value });
    if (t.verdict === "valid") {
      const wrong = reported.filter((f) => !cross.includes(f.property));
      if (wrong.length > 0) fail("valid field reported", wrong);
    }
    if (t.verdict === "unknown") {
      // Not judged, and passed through as given (an alias is renamed first, so it is not there by its name).
      if (reported.length > 0) fail("unknown value judged", reported);
      const passed = subject.aliases?.includes(key) || isDeepStrictEqual(result.inputs?.[key], t.value);
      if (!passed) fail("unknown value not passed through", { [key]: result.inputs?.[key] });
    }
  }
  return violations;
}
