/**
 * A `VMRestore`'s stored state as this build reads it, whichever build wrote it: earlier builds stored the
 * local wait bound as `deadline` (read as `timeout` here); state cut short or holding a wrong type reads as
 * the defaults. Every field the provider reads by name is here; other keys are kept as they are.
 */
import { z } from "zod";
import {
  readStoredState,
  storedDuration,
  storedField,
  storedStateSchema,
  type StoredState,
} from "../core/stored-state";
import { withStoredTimeout } from "./deadline-alias";

const text = () => storedField(z.string().optional(), undefined);

const restoreStateSchema = storedStateSchema({
  /** The Pulumi resource name (absent: messages use the restore's name). */
  resourceName: text(),
  /** Kubeconfig context (absent: the configured or current one). */
  context: text(),
  /** The snapshot.kubevirt.io version it was made with (absent: chosen by discovery). */
  apiVersion: text(),
  /** Namespace of the restore (the id carries it too; a bare-name id given to an import is completed with it). */
  namespace: text(),
  /** The local wait bound (earlier builds: `deadline`). */
  timeout: text(),
  /** How long a delete waits (absent, or not a positive duration: `DEFAULT_DELETE_TIMEOUT` applies). */
  deleteTimeout: storedDuration(),
  /** Whether KubeVirt completed the restore (absent: it did not, so the next up runs it again). */
  complete: storedField(z.boolean().default(false), false),
});

/** A `VMRestore`'s stored state, typed; unknown keys (other inputs and outputs, `__provider`) are kept. */
export type RestoreState = z.output<typeof restoreStateSchema>;

/** Fields whose unreadable value stops a delete: which cluster. */
export const RESTORE_DELETE_DECIDING = ["context"] as const;

/**
 * Reads a `VMRestore`'s stored state leniently; never throws (no props at all read as `{}`, as a
 * `VMSnapshot`'s do). The typed state has a stored `deadline` as `timeout`; `props` stay as stored (a refresh
 * writes them back unchanged).
 */
export function readRestoreState(props: Record<string, unknown> | undefined): StoredState<RestoreState> {
  const plain = props ?? {};
  return { ...readStoredState(restoreStateSchema, withStoredTimeout(plain)), props: plain };
}
