/** Re-validation of checked inputs at the start of create/update, shared by both resource types. */
import type { z } from "zod";
import { ProviderError } from "./errors";

type Props = Record<string, unknown>;

/**
 * Parses inputs that went through `check` (with its `name`/`autoNamed` choice) against a resource's
 * provider schema, keeping `__provider` for partial-failure state.
 */
export function readChecked<S extends z.ZodType<Record<string, unknown>>>(
  schema: S,
  kind: string,
  raw: Props,
): z.output<S> & { name: string; autoNamed: boolean; __provider?: unknown } {
  const { name, autoNamed, __provider, ...rest } = raw;
  const parsed = schema.safeParse({ ...rest, name });
  if (!parsed.success || typeof name !== "string") {
    const problems = parsed.success ? ["name is missing"] : parsed.error.issues.map((i) => i.message);
    throw new ProviderError(`invalid ${kind} inputs:\n  - ${problems.join("\n  - ")}`);
  }
  return { ...parsed.data, name, autoNamed: autoNamed === true, __provider };
}
