/**
 * Reading a resource's stored state, written by this build or any earlier one: a zod object schema whose
 * every field falls back (`.catch`) to the value older builds implied, so reading never throws; keys the
 * schema does not name are kept as they are. What could not be read is listed, so an operation that would
 * act on a guess (a delete) can refuse instead.
 */
import { z } from "zod";
import { ProviderError } from "./errors";
import { resourcePrefix } from "./resource-prefix";
import { isDns1123Label, isDns1123Subdomain } from "../../shared/names";
import { show } from "../../shared/fields";
import { parseDuration } from "../../shared/duration";

/** Stored state as read: the props as stored, the typed state, and the fields present but unreadable. */
export interface StoredState<T> {
  props: Record<string, unknown>;
  state: T;
  unreadable: string[];
}

/** A field of stored state: `schema` when the stored value fits it, else `fallback` (absent or wrong type). */
export function storedField<T extends z.ZodType>(schema: T, fallback: z.output<T>): z.ZodCatch<T> {
  return schema.catch(fallback);
}

/**
 * A stored duration the provider waits on (`deleteTimeout`): a positive Go duration, else absent, so the
 * default applies. A zero or negative bound (state edited by hand) would end the wait before it began.
 */
export function storedDuration(): z.ZodCatch<z.ZodOptional<z.ZodString>> {
  const positive = (text: string) => (parseDuration(text) ?? 0) > 0;
  return storedField(z.string().refine(positive).optional(), undefined);
}

/** A loose object of {@link storedField}s: unknown keys are kept. */
export function storedStateSchema<S extends Record<string, z.ZodCatch<z.ZodType>>>(shape: S) {
  return z.object(shape).loose();
}

/** Reads `props` with a schema built by {@link storedStateSchema}; never throws. */
export function readStoredState<S extends Record<string, z.ZodCatch<z.ZodType>>>(
  schema: z.ZodObject<S>,
  props: Record<string, unknown> | undefined,
): StoredState<z.output<z.ZodObject<S>>> {
  const plain = props ?? {};
  const unreadable = Object.entries(schema.shape)
    .filter(([key, field]) => plain[key] !== undefined && !field.unwrap().safeParse(plain[key]).success)
    .map(([key]) => key);
  return { props: plain, state: schema.parse(plain), unreadable };
}

/** What a delete refusal names. */
export interface DeleteGuard {
  /** The Kubernetes kind, for the message ("VirtualMachineSnapshot"). */
  kind: string;
  /** The Pulumi id, `<namespace>/<name>`. */
  id: string;
  /** The Pulumi resource name, for the prefix. */
  resourceName: string;
  /** Fields that decide which objects a delete touches (the cluster, the owner, …). */
  deciding: readonly string[];
}

/** Problems that stop a delete: an id that names no object, or a deciding field that could not be read. */
function deleteProblems(guard: DeleteGuard, stored: StoredState<unknown>): string[] {
  const [namespace = "", name = "", ...rest] = guard.id.split("/");
  const problems: string[] = [];
  if (rest.length || !isDns1123Label(namespace) || !isDns1123Subdomain(name))
    problems.push(`the resource id ${show(guard.id)} is not <namespace>/<name>`);
  for (const field of guard.deciding.filter((f) => stored.unreadable.includes(f)))
    problems.push(`the stored ${field} is ${show(stored.props[field])}, which this provider cannot read`);
  return problems;
}

/**
 * Refuses a delete whose object (or whose cluster, or whose other objects such as history) the stored state
 * does not say for sure: deleting on a guess could remove something else.
 */
export function refuseUnsafeDelete(guard: DeleteGuard, stored: StoredState<unknown>): void {
  const problems = deleteProblems(guard, stored);
  if (!problems.length) return;
  throw new ProviderError(
    `${resourcePrefix(guard.resourceName)}refusing to delete ${guard.kind} ${guard.id}: ${problems.join("; ")}, ` +
      "so which objects to delete is not known; nothing was deleted. Fix: correct the field in the stack's " +
      "state (pulumi stack export --file state.json, edit it, pulumi stack import --file state.json) and run the " +
      "operation again, or drop the resource from the state (pulumi state delete <urn>) and delete the object " +
      "yourself (kubectl delete).",
  );
}
