/** `check` for `VMSnapshot`: the shared check machinery (core/check.ts) with the snapshot's schema and rules. */
import { crossFieldIssues, vmSnapshotArgsShape } from "../../shared/args";
import { checkAgainst, type CheckOutcome, type CheckSpec } from "../core/check";
import { providerInputsSchema, SNAPSHOT_INPUT_DEFAULTS } from "./inputs";

/** The `check` rules of `VMSnapshot`. */
export const SNAPSHOT_CHECK: CheckSpec = {
  kind: "VMSnapshot",
  schema: providerInputsSchema,
  userKeys: Object.keys(vmSnapshotArgsShape).sort(),
  crossFieldIssues,
  crossFieldKeys: ["failureDeadline", "timeout", "name", "adopt", "history"],
  defaults: SNAPSHOT_INPUT_DEFAULTS,
};

/**
 * Validates `news` (the program's inputs) against the snapshot schema and picks the Kubernetes name.
 * Values still unknown (preview) are not judged; their properties pass through unchanged.
 */
export function checkInputs(
  olds: Record<string, unknown> | undefined,
  news: Record<string, unknown>,
  suffix: () => string,
): CheckOutcome {
  return checkAgainst(SNAPSHOT_CHECK, olds, news, suffix);
}
