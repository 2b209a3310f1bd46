/** `check` for `VMRestore`: the shared check machinery with the restore schema, after the `deadline` alias. */
import { vmRestoreArgsShape } from "../../shared/restore-args";
import { checkAgainst, type CheckOutcome, type CheckSpec } from "../core/check";
import { applyDeadlineAlias } from "./deadline-alias";
import { restoreInputsSchema } from "./inputs";

/** The `check` rules of `VMRestore` (no rules span fields). */
export const RESTORE_CHECK: CheckSpec = {
  kind: "VMRestore",
  schema: restoreInputsSchema,
  userKeys: Object.keys(vmRestoreArgsShape).sort(),
  crossFieldIssues: () => [],
  crossFieldKeys: [],
  defaults: {},
};

/**
 * Validates a restore's inputs: the deprecated `deadline` becomes `timeout`, then {@link RESTORE_CHECK}
 * applies. `warnings` are for the provider to print; the outcome is what Pulumi gets.
 */
export function checkRestoreInputs(
  olds: Record<string, unknown> | undefined,
  news: Record<string, unknown>,
  suffix: () => string,
): { outcome: CheckOutcome; warnings: string[] } {
  const alias = applyDeadlineAlias(news);
  const checked = checkAgainst(RESTORE_CHECK, olds, alias.raw, suffix);
  return {
    outcome: { inputs: checked.inputs, failures: [...alias.failures, ...checked.failures] },
    warnings: alias.warnings,
  };
}
