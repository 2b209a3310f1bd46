/**
 * `diff` for `VMRestore`. Pure. A restore is an action with an immutable spec: any change to what it
 * restores runs a new one, and an incomplete restore (failed, or cut off by the timeout) is run again.
 * Replacements always delete first: KubeVirt refuses a second incomplete restore of the same target.
 */
import { keyChanged, providerChanged, type DiffOutcome } from "../core/diff";
import { withStoredTimeout } from "./deadline-alias";

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
  const olds = withStoredTimeout(storedOlds);
  const changed = (key: string) => keyChanged(olds, news, key);
  const replaces: string[] = RESTORE_REPLACE_KEYS.filter(changed);
  if (olds["complete"] !== true) replaces.push("complete");
  const updates = RESTORE_UPDATE_KEYS.filter(changed);
  return {
    changes: replaces.length > 0 || updates.length > 0 || providerChanged(olds, news),
    replaces,
    deleteBeforeReplace: replaces.length > 0,
  };
}
