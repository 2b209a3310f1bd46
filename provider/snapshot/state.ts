/**
 * A `VMSnapshot`'s stored state as this build reads it, whichever build wrote it: the first (no `history`,
 * `retainHistoryOnDestroy`, `adopt`, `keptHistory` or `consistency`), the one that added history and adopt,
 * those before `whenVmMissing` and `skipped`, those that stored every input at its default, or this one, which
 * leaves inputs at their defaults out (core/defaults.ts); and state cut short or holding a wrong type. Every
 * field the provider reads by name is here, with the value older builds implied; other keys are kept as they are.
 * Inputs left out at their defaults read as those defaults where this reader names them (`history`, `adopt`,
 * …), else as `undefined`, which each reader takes for the default (`deleteTimeout`: `DEFAULT_DELETE_TIMEOUT`;
 * `deletionPolicy`: not "Retain"); diff fills every default on both sides (`SNAPSHOT_INPUT_DEFAULTS`).
 */
import { z } from "zod";
import {
  readStoredState,
  storedDuration,
  storedField,
  storedStateSchema,
  type StoredState,
} from "../core/stored-state";

/** Inputs added after the first release, with the values state without them implies. */
export const ADDED_INPUT_DEFAULTS = {
  history: 0,
  retainHistoryOnDestroy: false,
  adopt: false,
  whenVmMissing: "fail",
} as const;

const text = () => storedField(z.string().optional(), undefined);
const flag = (fallback: boolean) => storedField(z.boolean().default(fallback), fallback);
const stringMap = () => storedField(z.record(z.string(), z.string()).optional(), undefined);

const snapshotStateSchema = storedStateSchema({
  /** The Pulumi resource name (absent: messages use the snapshot's name). */
  resourceName: text(),
  /** Kubeconfig context (absent: the configured or current one). */
  context: text(),
  /** The snapshot.kubevirt.io version it was made with (absent: chosen by discovery). */
  apiVersion: text(),
  /** Kubernetes name of the snapshot (compared by diff: a fixed name is deleted before its replacement). */
  name: text(),
  /** Namespace of the snapshot (the id carries it too; a bare-name id given to an import is completed with it). */
  namespace: text(),
  /** The claim token of the create that took the snapshot (absent in state of builds before claims). */
  claim: text(),
  /** `<project>/<stack>/<resource name>` (absent: no history is looked at). */
  owner: text(),
  /** How long a delete waits (absent, zero or negative, as only state cut short or edited has: `DEFAULT_DELETE_TIMEOUT`). */
  deleteTimeout: storedDuration(),
  /** Absent from state of the first build, like the next two. */
  history: storedField(z.number().default(ADDED_INPUT_DEFAULTS.history), ADDED_INPUT_DEFAULTS.history),
  retainHistoryOnDestroy: flag(ADDED_INPUT_DEFAULTS.retainHistoryOnDestroy),
  adopt: flag(ADDED_INPUT_DEFAULTS.adopt),
  /** Absent from state of builds before it: such a resource was never skipped. */
  whenVmMissing: storedField(
    z.string().default(ADDED_INPUT_DEFAULTS.whenVmMissing),
    ADDED_INPUT_DEFAULTS.whenVmMissing,
  ),
  /** No snapshot was taken (the VM was missing, `whenVmMissing: "skip"`): nothing to read, patch or delete. */
  skipped: flag(false),
  /** KubeVirt's deletionPolicy (absent, as this build stores "Delete": `undefined`, read as not "Retain"). */
  deletionPolicy: text(),
  /** What counts as done (absent, as this build stores "readyToUse": `undefined`; diff fills the default). */
  waitFor: text(),
  labels: stringMap(),
  annotations: stringMap(),
  phase: text(),
  readyToUse: flag(false),
  online: flag(false),
  guestAgentConnected: flag(false),
  contentName: storedField(z.string().default(""), ""),
});

/** A `VMSnapshot`'s stored state, typed; unknown keys (other inputs and outputs, `__provider`) are kept. */
export type SnapshotState = z.output<typeof snapshotStateSchema>;

/**
 * Fields whose unreadable value stops a delete: which cluster, whose history, whether to keep it, whether
 * there is a snapshot at all.
 */
export const SNAPSHOT_DELETE_DECIDING = ["context", "owner", "retainHistoryOnDestroy", "skipped"] as const;

/** Reads a `VMSnapshot`'s stored state leniently; never throws. */
export function readSnapshotState(props: Record<string, unknown>): StoredState<SnapshotState> {
  return readStoredState(snapshotStateSchema, props);
}
