/** Words for a restore that did not complete: what happened, KubeVirt's reason, what to do. Pure. */
import { findCondition, type VirtualMachineRestore } from "../kube/types";
import { resourcePrefix } from "../core/resource-prefix";

/** Everything the message needs. */
export interface RestoreFailureFacts {
  resourceName: string;
  namespace: string;
  name: string;
  snapshotName: string;
  targetVm: string;
  /** The local wait bound, as text ("10m"). */
  boundText: string;
  outcome: { kind: "failed"; reason: string } | { kind: "timeout" };
  last: VirtualMachineRestore | undefined;
}

function hint(facts: RestoreFailureFacts, reason: string): string | undefined {
  // v1.7+: "…must be powered off…", "…failed to be ready within 5m0s…"; v1.5: "Restore target not ready".
  if (/powered off|to be ready|target not ready|stop the restore target/i.test(reason)) {
    return (
      `The target VM must be stopped for a restore. Fix: stop it (virtctl stop ${facts.targetVm} -n ${facts.namespace}) ` +
      'and run pulumi up again, or set targetReadinessPolicy to "StopTarget" to let KubeVirt stop it.'
    );
  }
  if (/target already exists/.test(reason)) {
    return "KubeVirt restores into the snapshot's own VM or a VM that does not exist yet. Fix: choose a new targetVmName, or leave it unset.";
  }
  return undefined;
}

/** The user-facing message for a restore that failed or did not complete within its timeout. */
export function restoreFailureMessage(facts: RestoreFailureFacts): string {
  const ref = `VirtualMachineRestore ${facts.namespace}/${facts.name}`;
  const progressing = findCondition(facts.last?.status?.conditions, "Progressing")?.reason ?? "";
  const reason = facts.outcome.kind === "failed" ? facts.outcome.reason : progressing;
  const what =
    facts.outcome.kind === "failed"
      ? `${ref} (snapshot ${facts.snapshotName} → VM ${facts.targetVm}) failed: ${facts.outcome.reason}`
      : `${ref} (snapshot ${facts.snapshotName} → VM ${facts.targetVm}) did not complete within ${facts.boundText}` +
        (progressing ? ` (KubeVirt: ${progressing})` : "");
  const next =
    "It is kept in the stack's state; the next `pulumi up` deletes it and runs the restore again. Inspect it with: " +
    `kubectl get vmrestore ${facts.name} -n ${facts.namespace} -o yaml`;
  return [`${resourcePrefix(facts.resourceName)}${what}.`, hint(facts, reason), next]
    .filter(Boolean)
    .join("\n");
}
