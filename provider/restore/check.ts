/** `check` for `VMRestore`: the shared check machinery with the restore schema. */
import { vmRestoreArgsShape } from "../../shared/restore-args";
import type { CheckSpec } from "../core/check";
import { restoreInputsSchema } from "./inputs";

/** The `check` rules of `VMRestore` (no rules span fields). */
export const RESTORE_CHECK: CheckSpec = {
  kind: "VMRestore",
  schema: restoreInputsSchema,
  userKeys: Object.keys(vmRestoreArgsShape).sort(),
  crossFieldIssues: () => [],
  crossFieldKeys: [],
};
