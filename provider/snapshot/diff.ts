/**
 * `diff`: decides update vs replace from the stored outputs (`olds`) and the checked inputs (`news`). Pure.
 *
 * The snapshot's spec is immutable in KubeVirt, so every input that reaches the spec (or picks another
 * object or cluster) replaces; labels and annotations patch in place; inputs that only steer the provider
 * (waits, policies) are stored without touching the cluster. A Failed snapshot, or one no longer usable,
 * is replaced by the next `pulumi up`.
 */
import { withDefaults } from "../core/defaults";
import { keyChanged, providerChanged, sameValue, type DiffOutcome } from "../core/diff";
import { SNAPSHOT_INPUT_DEFAULTS } from "./inputs";
import { readSnapshotState, type SnapshotState } from "./state";

/** Inputs whose change takes a new snapshot. */
export const REPLACE_KEYS = [
  "namespace",
  "vmName",
  "name",
  "failureDeadline",
  "deletionPolicy",
  "triggers",
  "context",
] as const;

/** Inputs that change without a new snapshot (labels/annotations are patched; the rest is stored). */
export const UPDATE_KEYS = [
  "labels",
  "annotations",
  "owner",
  "resourceName",
  "waitFor",
  "guestAgent",
  "onFailure",
  "allowEmpty",
  "timeout",
  "deleteTimeout",
  "history",
  "retainHistoryOnDestroy",
  "adopt",
  "whenVmMissing",
] as const;

/**
 * Why the live snapshot itself calls for a replacement, or `undefined` when it is fine (`waitFor`: the new
 * input, when known). A skipped resource holds no snapshot, so nothing of it calls for one: it waits for a
 * replacing input to change.
 */
export function statusReplaceKey(
  olds: Pick<SnapshotState, "phase" | "readyToUse" | "waitFor" | "skipped">,
  waitForInput: unknown,
): string | undefined {
  if (olds.skipped) return undefined;
  if (olds.phase === "Failed") return "phase";
  const waitFor = waitForInput ?? olds.waitFor;
  if (waitFor !== "succeeded" && !olds.readyToUse) return "readyToUse";
  if (waitFor === "succeeded" && olds.phase !== "Succeeded") return "phase";
  return undefined;
}

/**
 * Computes the diff between stored outputs and new (checked) inputs. Both sides are compared with every
 * absent input at its default: this build stores no defaults (core/defaults.ts), earlier builds stored them,
 * and the first lacks the inputs added after it (snapshot/state.ts); all of these mean the same. A stored
 * value this build cannot read is not taken for the default.
 */
export function diffSnapshot(
  storedOlds: Record<string, unknown>,
  checkedNews: Record<string, unknown>,
): DiffOutcome {
  const state = readSnapshotState(storedOlds).state;
  const olds = withDefaults(state, SNAPSHOT_INPUT_DEFAULTS, storedOlds);
  const news = withDefaults(checkedNews, SNAPSHOT_INPUT_DEFAULTS);
  const replaces: string[] = REPLACE_KEYS.filter((k) => keyChanged(olds, news, k));
  const statusKey = statusReplaceKey(state, news["waitFor"]);
  if (statusKey && !replaces.includes(statusKey)) replaces.push(statusKey);
  const updates = UPDATE_KEYS.filter((k) => keyChanged(olds, news, k));
  // A user-given name that stays the same cannot exist twice: the old snapshot must go first. Auto-names
  // get a fresh suffix when the engine re-checks for the replacement, so the new one is taken first.
  const sameFixedName = news["autoNamed"] !== true && sameValue(state.name, news["name"]);
  return {
    changes: replaces.length > 0 || updates.length > 0 || providerChanged(olds, news),
    replaces,
    deleteBeforeReplace: replaces.length > 0 && sameFixedName,
  };
}
