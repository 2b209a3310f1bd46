/**
 * The intent of a snapshot: a hash of the inputs that shape it (the VM, the spec fields and the triggers),
 * written on the object when it is created. A re-run after an interruption computes the same intent from the
 * same inputs, so it can tell the snapshot the interrupted run was taking from other leftovers. Pure.
 */
import { createHash } from "node:crypto";
import type { ProviderInputs } from "./inputs";

/** The inputs an intent covers (the replace keys that reach the object, less its name). */
export type IntentInputs = Pick<ProviderInputs, "vmName" | "failureDeadline" | "deletionPolicy" | "triggers">;

/** JSON with object keys sorted, so equal values hash equally whatever their key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

/** A label-safe hash (40 hex characters) of the inputs that shape the snapshot. */
export function snapshotIntent(inputs: IntentInputs): string {
  const { vmName, failureDeadline, deletionPolicy, triggers } = inputs;
  const text = canonical({ vmName, failureDeadline, deletionPolicy, triggers });
  return createHash("sha256").update(text).digest("hex").slice(0, 40);
}
