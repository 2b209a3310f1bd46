/**
 * `check` for any resource type of this package: validate the program's inputs against the resource's
 * schema, leave out the inputs at their defaults (core/defaults.ts) and choose the Kubernetes name. Pure
 * apart from the injected random suffix; all problems are reported at once, each with its property path.
 */
import type { z } from "zod";
import { show } from "../../shared/fields";
import { isDns1123Subdomain } from "../../shared/names";
import { UNKNOWN_VALUE } from "./constants";
import { omitDefaults, type InputDefaults } from "./defaults";
import { chooseName } from "./naming";

/** A validation failure as Pulumi's `CheckFailure`. */
export interface CheckFailure {
  property: string;
  reason: string;
}

/** The result of {@link checkAgainst}: Pulumi's `CheckResult` shape. */
export interface CheckOutcome {
  inputs: Record<string, unknown>;
  failures: CheckFailure[];
}

const PROVIDER_KEY = "__provider";

/** What `check` needs to know about one resource type. */
export interface CheckSpec {
  /** The resource type, for messages ("VMSnapshot"). */
  kind: string;
  /** The provider-side schema (user args plus `resourceName` and `owner`). */
  schema: z.ZodType;
  /** The inputs users may set, listed in the unknown-input message. */
  userKeys: readonly string[];
  /** Rules spanning several fields. */
  crossFieldIssues(raw: Record<string, unknown>): { path: string; message: string }[];
  /** Inputs whose unknown value (preview) keeps the cross-field rules from being judged. */
  crossFieldKeys: readonly string[];
  /** The schema's defaults: inputs at these values are left out of the checked inputs (and so of state). */
  defaults: InputDefaults;
}

/** Whether a value is, or contains, Pulumi's unknown-value sentinel. */
export function containsUnknown(value: unknown): boolean {
  if (value === UNKNOWN_VALUE) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (value !== null && typeof value === "object") return Object.values(value).some(containsUnknown);
  return false;
}

/** The value at an issue's path in the raw inputs (`undefined` when it is not there). */
function valueAtPath(raw: Record<string, unknown>, path: readonly PropertyKey[]): unknown {
  let value: unknown = raw;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** What the SDK sets the provider-side inputs to (they are not arguments of the resource classes). */
const SDK_SET: Readonly<Record<string, string>> = {
  resourceName: "the Pulumi resource name",
  owner: "<project>/<stack>/<resource name>",
};

/**
 * The reason for an issue in zod's own words ("Invalid input: expected string, received number"), which
 * name neither the input nor a fix: the SDK's `resourceName` and `owner`, and any field whose schema has no
 * message of its own. It gets the property, the value and a fix.
 */
function plainIssueReason(spec: CheckSpec, property: string, value: unknown, message: string): string {
  const top = property.split(".")[0] ?? "";
  const what = `${property} is ${value === undefined ? "missing" : show(value)} (${message.replace(/\.$/, "")})`;
  if (spec.userKeys.includes(top)) {
    return `${what}. Fix: correct ${property}; README.md describes the ${spec.kind} arguments and their values.`;
  }
  return (
    `${what}: the pulumi-kubevirt-snapshot SDK sets ${top} to ${SDK_SET[top] ?? "a value of its own"}. Fix: create the resource with the ` +
    `SDK's ${spec.kind} class (new ${spec.kind}(name, args)), not by calling the dynamic provider with inputs of your own.`
  );
}

function issueToFailure(
  spec: CheckSpec,
  raw: Record<string, unknown>,
  issue: z.core.$ZodIssue,
): CheckFailure {
  if (issue.code === "unrecognized_keys") {
    const keys = issue.keys.map((k) => `"${k}"`).join(", ");
    return {
      property: issue.keys[0] ?? "",
      reason:
        `unknown input ${keys}; ${spec.kind} accepts: ${spec.userKeys.join(", ")}. ` +
        "Fix: remove it or correct its spelling.",
    };
  }
  const property = issue.path.map(String).join(".");
  const top = property.split(".")[0] ?? "";
  if (issue.message.includes(top)) return { property, reason: issue.message };
  return { property, reason: plainIssueReason(spec, property, valueAtPath(raw, issue.path), issue.message) };
}

/**
 * The olds whose name `chooseName` may keep: a name Kubernetes would refuse (state edited by hand) is
 * dropped, so a fresh one is chosen instead of one that passes check and fails create.
 */
function namingOlds(olds: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!olds || typeof olds["name"] !== "string" || isDns1123Subdomain(olds["name"])) return olds;
  const { name: _unusable, ...rest } = olds;
  return rest;
}

/**
 * Validates `news` (the program's inputs) against `spec` and picks the Kubernetes name. Inputs whose value
 * is their default are left out, set or not (readers fill them back), so state holds only what differs.
 * Values still unknown (preview) are not judged; their properties pass through unchanged.
 */
export function checkAgainst(
  spec: CheckSpec,
  olds: Record<string, unknown> | undefined,
  news: Record<string, unknown>,
  suffix: () => string,
): CheckOutcome {
  const { [PROVIDER_KEY]: provider, ...raw } = news;
  const unknownKeys = new Set(Object.keys(raw).filter((k) => containsUnknown(raw[k])));
  const parsed = spec.schema.safeParse(raw);
  const failures = (parsed.success ? [] : parsed.error.issues)
    .map((issue) => issueToFailure(spec, raw, issue))
    .filter((f) => !unknownKeys.has(f.property.split(".")[0] ?? ""));
  if (!spec.crossFieldKeys.some((k) => unknownKeys.has(k))) {
    failures.push(...spec.crossFieldIssues(raw).map((i) => ({ property: i.path, reason: i.message })));
  }
  const name = unknownKeys.has("name") ? raw["name"] : chooseName(raw, namingOlds(olds), suffix);
  const base = parsed.success && unknownKeys.size === 0 ? (parsed.data as Record<string, unknown>) : raw;
  const inputs: Record<string, unknown> = {
    ...omitDefaults(base, spec.defaults),
    name,
    autoNamed: raw["name"] === undefined,
  };
  if (provider !== undefined) inputs[PROVIDER_KEY] = provider;
  return { inputs, failures };
}
