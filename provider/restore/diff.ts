/**
 * `diff` for `VMRestore`. Pure. A restore is an action with an immutable spec: any change to what it
 * restores runs a new one, and an incomplete restore (failed, or cut off by the timeout) is run again.
 * Replacements always delete first: KubeVirt refuses a second incomplete restore of the same target.
 */
import { keyChanged, providerChanged, type DiffOutcome } from "../core/diff";
import { readRestoreState } from "./state";

/** Inputs whose change runs a new restore. */
export const RESTORE_REPLACE_KEYS = [
  "namespace",
  "snapshotName",
  "targetVmName",
  "name",
  "targetReadinessPolicy",
  "volumeRestorePolicy",
  "triggers",
  "context",
] as const;

/** Inputs stored without touching the cluster. */
export const RESTORE_UPDATE_KEYS = ["timeout", "deleteTimeout", "owner", "resourceName"] as const;

/**
 * Computes the diff between a restore's stored outputs and new (checked) inputs. State from earlier builds
 * holds `deadline`, compared as `timeout`.
 */
export function diffRestore(storedOlds: Record<string, unknown>, news: Record<string, unknown>): DiffOutcome {
  const state = readRestoreState(storedOlds).state;
  const olds: Record<string, unknown> = state;
  const changed = (key: string) => keyChanged(olds, news, key);
  const replaces: string[] = RESTORE_REPLACE_KEYS.filter(changed);
  if (!state.complete) replaces.push("complete");
  const updates = RESTORE_UPDATE_KEYS.filter(changed);
  return {
    changes: replaces.length > 0 || updates.length > 0 || providerChanged(olds, news),
    replaces,
    deleteBeforeReplace: replaces.length > 0,
  };
}
