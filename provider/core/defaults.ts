/**
 * Input defaults kept out of stored state. `check` and the outputs leave out every input whose value equals
 * its schema default, whether the program wrote it or not (`failureDeadline: "5m"` and no `failureDeadline`
 * mean the same, so they are stored the same); everything that reads inputs or state fills the defaults
 * back in. State written by earlier builds, which holds the defaults, reads the same. Pure.
 */
import { isDeepStrictEqual } from "node:util";
import type { z } from "zod";

/** Input name → the value its schema gives it when the input is absent. */
export type InputDefaults = Readonly<Record<string, unknown>>;

/**
 * The defaults of an object schema's fields: what each field parses `undefined` to, for the fields that
 * parse it to a value (required and optional fields without a default have none).
 */
export function schemaDefaults(shape: Readonly<Record<string, z.ZodType>>): InputDefaults {
  const entries = Object.entries(shape).flatMap(([key, field]) => {
    const parsed = field.safeParse(undefined);
    return parsed.success && parsed.data !== undefined ? [[key, parsed.data] as const] : [];
  });
  return Object.freeze(Object.fromEntries(entries));
}

/** Whether `value` is the default `fallback` (`-0` counts as `0`, as JSON cannot tell them apart). */
export function isDefaultValue(value: unknown, fallback: unknown): boolean {
  if (typeof fallback !== "object" || fallback === null) return value === fallback;
  return isDeepStrictEqual(value, fallback);
}

/** `values` without the keys whose value is their default. */
export function omitDefaults<T extends Record<string, unknown>>(values: T, defaults: InputDefaults): T {
  const kept = Object.entries(values).filter(
    ([key, value]) => !(Object.hasOwn(defaults, key) && isDefaultValue(value, defaults[key])),
  );
  return Object.fromEntries(kept) as T;
}

/**
 * `values` with each absent key (missing or `undefined`) set to its default; `present` says which keys are
 * there (default: `values` itself; a reader of stored state passes the state as stored, so a value it could
 * not read stays unread instead of passing for the default).
 */
export function withDefaults(
  values: Record<string, unknown>,
  defaults: InputDefaults,
  present: Record<string, unknown> = values,
): Record<string, unknown> {
  const filled: Record<string, unknown> = { ...values };
  for (const [key, fallback] of Object.entries(defaults)) {
    if (present[key] === undefined) filled[key] = structuredClone(fallback);
  }
  return filled;
}
