/** Words for a snapshot that did not finish: what happened, why it probably happened, what to do. Pure. */
import { findCondition, type VirtualMachineSnapshot } from "../kube/types";
import { offlinePodsHint, type OfflinePods } from "./offline-pods";
import { resourcePrefix } from "../core/resource-prefix";

/** Everything the message needs. */
export interface FailureFacts {
  resourceName: string;
  namespace: string;
  name: string;
  vmName: string;
  failureDeadline: string;
  boundText: string;
  outcome: { kind: "failed"; reason: string; message: string } | { kind: "timeout" };
  last: VirtualMachineSnapshot | undefined;
  onFailure: "keep" | "delete";
  /** For a stopped VM: the pods found mounting its PVCs before creating. */
  offlinePods?: OfflinePods;
  /** KubeVirt's last Progressing reason while the snapshot waited (a Failed one reads "Operation failed"). */
  waitingReason?: string;
}

const FREEZE_HINT =
  "The guest agent could not freeze the file systems. On Fedora/RHEL guests SELinux often denies qemu-ga " +
  "access to mount points: load a local SELinux policy module for qemu-ga (or make it permissive while " +
  "snapshotting), check unsupported file systems, then take a new snapshot.";

/** Likely causes, from KubeVirt's error text and Progressing reason. */
export function failureHints(
  facts: Pick<FailureFacts, "failureDeadline" | "outcome" | "last" | "offlinePods" | "waitingReason">,
): string[] {
  const status = facts.last?.status;
  const error = status?.error?.message ?? "";
  const progressing = findCondition(status?.conditions, "Progressing")?.reason ?? "";
  const podsHint =
    facts.offlinePods && offlinePodsHint(facts.offlinePods, facts.waitingReason || progressing);
  if (podsHint) return [podsHint];
  const hints: string[] = [];
  if (/freez/i.test(error)) hints.push(FREEZE_HINT);
  if (/fsfreeze is limited/.test(error))
    hints.push("Windows VSS held the freeze longer than 10 s (QuiesceTimeout).");
  if (/VolumeSnapshot .* error/.test(error))
    hints.push("The CSI driver reported a VolumeSnapshot error (see the error above).");
  if (progressing.startsWith("Source not locked")) {
    hints.push(
      `KubeVirt never locked the VM: "${progressing}". Typical causes: a PVC not Bound (WaitForFirstConsumer ` +
        "storage needs the VM started once), another snapshot of the VM in progress, or pods using the PVCs of a stopped VM.",
    );
  }
  if (progressing === "Source does not exist")
    hints.push("The VM did not exist while KubeVirt reconciled the snapshot.");
  if (facts.outcome.kind === "failed" && facts.outcome.reason === "snapshot deadline exceeded") {
    hints.push(`If the storage is just slow, raise failureDeadline (now "${facts.failureDeadline}").`);
  }
  return hints;
}

/** The user-facing message for a snapshot that failed or did not finish in time. */
export function failureMessage(facts: FailureFacts): string {
  const ref = `${facts.namespace}/${facts.name}`;
  const status = facts.last?.status;
  const what =
    facts.outcome.kind === "failed"
      ? `VirtualMachineSnapshot ${ref} of VM ${facts.vmName} failed: ${facts.outcome.reason}` +
        (facts.outcome.message ? ` (KubeVirt error: ${facts.outcome.message})` : "")
      : `VirtualMachineSnapshot ${ref} of VM ${facts.vmName} did not finish within ${facts.boundText} ` +
        `(phase ${status?.phase || "not reconciled"}, readyToUse ${status?.readyToUse === true})` +
        (status?.error?.message ? `; last KubeVirt error: ${status.error.message}` : "");
  const next =
    facts.onFailure === "keep"
      ? "It is kept in the cluster and in the stack's state; the next `pulumi up` deletes it and takes a new " +
        `snapshot. Inspect it with: kubectl get vmsnapshot ${facts.name} -n ${facts.namespace} -o yaml`
      : 'onFailure is "delete": the snapshot was deleted and nothing is left behind.';
  return [`${resourcePrefix(facts.resourceName)}${what}.`, ...failureHints(facts), next].join("\n");
}
