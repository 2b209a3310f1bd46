/**
 * The parts of `diff` every resource type shares: Pulumi's result shape and how a stored value is compared
 * with a new input. Pure. Each resource decides which keys replace and which update (snapshot/diff.ts,
 * restore/diff.ts).
 */
import { UNKNOWN_VALUE } from "./constants";

/** Pulumi's `DiffResult` as the Node dynamic-provider host forwards it. */
export interface DiffOutcome {
  changes: boolean;
  replaces: string[];
  deleteBeforeReplace: boolean;
}

/** Deep equality of JSON values, treating absent, `undefined`, `{}` and `[]` as equal "empty" values. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (isEmpty(a) && isEmpty(b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((k) => sameValue(a[k], b[k]));
  }
  return a === b;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function isEmpty(v: unknown): boolean {
  return (
    v === undefined ||
    v === null ||
    (Array.isArray(v) && v.length === 0) ||
    (isObject(v) && Object.keys(v).length === 0)
  );
}

/** Whether input `key` changed: its new value is still unknown (preview) or differs from the stored one. */
export function keyChanged(
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
  key: string,
): boolean {
  return news[key] === UNKNOWN_VALUE || !sameValue(olds[key], news[key]);
}

/** Whether the serialized provider differs from the stored one (an unknown one, in preview, does not count). */
export function providerChanged(olds: Record<string, unknown>, news: Record<string, unknown>): boolean {
  return olds["__provider"] !== news["__provider"] && news["__provider"] !== UNKNOWN_VALUE;
}
