/** Checks before creating a restore: a usable snapshot, and what the target's state means. Pure. */
import type { VirtualMachine, VirtualMachineInstance, VirtualMachineSnapshot } from "../kube/types";
import type { RestoreInputs } from "./inputs";

/** Why the snapshot cannot be restored from, or `undefined` when it can (it exists and is readyToUse). */
export function snapshotProblem(
  snapshot: VirtualMachineSnapshot | undefined,
  inputs: Pick<RestoreInputs, "namespace" | "snapshotName">,
): string | undefined {
  const ref = `VirtualMachineSnapshot ${inputs.namespace}/${inputs.snapshotName}`;
  if (!snapshot) {
    return (
      `${ref} not found (404), so no restore was created. Fix: check snapshotName and namespace ` +
      `(kubectl get vmsnapshot -n ${inputs.namespace}).`
    );
  }
  const status = snapshot.status ?? {};
  if (status.readyToUse === true && !snapshot.metadata.deletionTimestamp) return undefined;
  const state =
    `phase ${status.phase || "not reconciled"}, readyToUse ${status.readyToUse === true}` +
    (status.error?.message ? `, error: ${status.error.message}` : "") +
    (snapshot.metadata.deletionTimestamp ? ", being deleted" : "");
  return (
    `${ref} is not readyToUse (${state}); KubeVirt restores only from a ready snapshot, so no restore was created. ` +
    "Fix: wait until it is ready (a VMSnapshot resource waits for readyToUse by default), or restore from " +
    `another snapshot (kubectl get vmsnapshot -n ${inputs.namespace}).`
  );
}

const POLICY_EFFECT: Record<string, string> = {
  WaitGracePeriod: "KubeVirt waits up to 5 minutes for it to be stopped, then fails the restore",
  StopTarget: "KubeVirt stops it before restoring",
  FailImmediate: "KubeVirt fails the restore at once",
  WaitEventually: "KubeVirt waits until it is stopped, without a limit (the local timeout still applies)",
};

/** Notes about the target: running (what the policy will do), being restored, or about to be created. */
export function targetNotes(
  vm: VirtualMachine | undefined,
  vmi: VirtualMachineInstance | undefined,
  inputs: Pick<RestoreInputs, "namespace" | "targetReadinessPolicy">,
  targetVm: string,
): string[] {
  const ref = `VM ${inputs.namespace}/${targetVm}`;
  if (!vm) return [`${ref} does not exist; KubeVirt creates it from the snapshot.`];
  const notes: string[] = [];
  if (vmi) {
    notes.push(
      `${ref} is running; with targetReadinessPolicy ${inputs.targetReadinessPolicy} ` +
        `${POLICY_EFFECT[inputs.targetReadinessPolicy] ?? "KubeVirt decides"}. Stop it first for a prompt restore ` +
        `(virtctl stop ${targetVm} -n ${inputs.namespace}).`,
    );
  }
  if (vm.status?.restoreInProgress) {
    notes.push(
      `${ref} is being restored by "${vm.status.restoreInProgress}"; KubeVirt refuses a second restore meanwhile.`,
    );
  }
  return notes;
}
