/**
 * Makes values safe for Pulumi's protobuf `Struct`: no `undefined` anywhere, no `bigint`, dates as ISO
 * strings. A single `undefined` otherwise fails the RPC with "Unexpected struct type.".
 */

/** JSON-like values that survive `Struct.fromJavaScript`. */
export type PlainValue = string | number | boolean | null | PlainValue[] | { [key: string]: PlainValue };

/** Returns a copy of `value` with `undefined` removed (or `null` inside arrays) and dates as ISO strings. */
export function sanitize(value: unknown): PlainValue {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : sanitize(v)));
  if (typeof value === "object") {
    const out: Record<string, PlainValue> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v !== undefined && typeof v !== "function") out[k] = sanitize(v);
    }
    return out;
  }
  return null;
}
