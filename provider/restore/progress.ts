/** Progress lines for a waiting restore. Pure. */
import { findCondition, type VirtualMachineRestore } from "../kube/types";
import type { Summary } from "../core/progress";

/**
 * Describes one observed restore. Every Progressing reason is a milestone (printed at once): a restore has
 * only a handful of steps, and the reason is what tells a user it waits for them (e.g. to stop the VM).
 */
export function summarizeRestore(restore: VirtualMachineRestore | undefined): Summary {
  if (!restore) return { line: "gone", milestone: "gone" };
  const status = restore.status ?? {};
  const progressing = findCondition(status.conditions, "Progressing")?.reason;
  const failure = findCondition(status.conditions, "Failure");
  const failed = failure?.status === "True";
  const parts = [status.complete === true ? "complete" : "not complete"];
  if (progressing) parts.push(`progressing: ${progressing}`);
  if (failed) parts.push(`failure: ${failure.reason ?? ""}`);
  if (status.restores?.length) parts.push(`volumes: ${status.restores.length}`);
  return {
    line: parts.join("; "),
    milestone: `${String(status.complete === true)}|${String(failed)}|${progressing ?? ""}`,
  };
}
