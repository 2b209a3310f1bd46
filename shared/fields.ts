/** Zod field builders shared by the input schemas: each error names the field, the value, the rule and the fix. */
import { z } from "zod";
import { DURATION_UNITS, MAX_DURATION_TEXT, parseDuration } from "./duration";
import { isDns1123Label, isDns1123Subdomain } from "./names";

/** A value as it appears in messages: strings quoted, the rest as JSON. */
export const show = (value: unknown): string =>
  typeof value === "string" ? `"${value}"` : JSON.stringify(value);

/** An enum input with a default; its error names the field, the bad value, the allowed values and the fix. */
export function enumField<const T extends readonly [string, ...string[]]>(
  field: string,
  values: T,
  fallback: T[0],
) {
  const allowed = values.map((v) => `"${v}"`).join(", ");
  return z
    .enum(values, {
      error: (issue) =>
        `${field} is ${show(issue.input)}; allowed values: ${allowed}. ` +
        `Fix: set ${field} to one of them, or leave it unset for "${fallback}".`,
    })
    .default(fallback as never);
}

/** A Kubernetes name input (DNS-1123 label or subdomain) whose error says what the rule is. */
export function dnsName(field: string, kind: "label" | "subdomain") {
  const test = kind === "label" ? isDns1123Label : isDns1123Subdomain;
  const rule =
    kind === "label"
      ? "a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters)"
      : "a DNS-1123 subdomain (lower-case letters, digits, '-' and '.', each part starting and ending with a letter or digit, at most 253 characters)";
  return z
    .string({
      error: (issue) =>
        `${field} is required and must be a string (got ${show(issue.input)}). ` +
        `Fix: set ${field} to the exact Kubernetes name as a string, e.g. "db-1".`,
    })
    .refine(test, {
      error: (issue) =>
        `${field} is ${show(issue.input)}, which is not ${rule}. Fix: use the exact Kubernetes name, e.g. "db-1".`,
    });
}

/** A Go/Kubernetes duration input ("5m", "1h30m"); positive, or also "0" when `allowZero`. */
export function duration(field: string, example: string, allowZero: boolean) {
  return z
    .string({
      error: (issue) =>
        `${field} must be a duration string (got ${show(issue.input)}). Fix: write it as a string, e.g. "${example}".`,
    })
    .refine(
      (text) => {
        const ms = parseDuration(text);
        return ms !== undefined && (ms > 0 || (allowZero && ms === 0));
      },
      {
        error: (issue) =>
          `${field} is ${show(issue.input)}, which is not a ${allowZero ? "non-negative" : "positive"} ` +
          `Kubernetes duration. Allowed: a number with a unit (${DURATION_UNITS}), combined like "1h30m", ` +
          `at most ${MAX_DURATION_TEXT}` +
          `${allowZero ? ', or "0" for no deadline' : ""}. Fix: write e.g. "${example}".`,
      },
    );
}

/** A true/false input with a default; its error names the field, the bad value, the allowed values and the fix. */
export function flag(field: string, fallback: boolean) {
  return z
    .boolean({
      error: (issue) =>
        `${field} is ${show(issue.input)}; allowed values: true, false. ` +
        `Fix: set ${field} to true or false (not a string), or leave it unset for ${fallback}.`,
    })
    .default(fallback);
}

/** A list of free-form strings (`triggers`), empty by default. */
export function stringList(field: string) {
  return z
    .array(
      z.string({
        error: (issue) =>
          `${field} must be a list of strings, and it holds ${show(issue.input)}. ` +
          `Fix: write every entry of ${field} as a string, e.g. String(value).`,
      }),
      {
        error: (issue) =>
          `${field} is ${show(issue.input)}, which is not a list of strings. ` +
          `Fix: give a list such as ["v2"], or leave ${field} unset for [].`,
      },
    )
    .default([]);
}

/** The kubeconfig context input (optional; unset means the stack config's or the current context). */
export function kubeContext() {
  const error = (issue: { input?: unknown }) =>
    `context is ${show(issue.input)}, which is not the name of a kubeconfig context. Fix: set context to a ` +
    "name listed by kubectl config get-contexts -o name, or leave it unset for the stack config's or the current context.";
  return z.string({ error }).min(1, { error }).optional();
}
