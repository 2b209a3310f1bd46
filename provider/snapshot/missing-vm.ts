/**
 * What a create does when the VM to snapshot does not exist (input `whenVmMissing`). Pure: the message to
 * fail with, or the note to print when the resource is recorded as skipped (no snapshot taken).
 */
import type { ProviderInputs } from "./inputs";

/** The decision for a missing VM: fail the create, or record the resource as skipped. */
export type MissingVmOutcome = { kind: "fail"; message: string } | { kind: "skip"; note: string };

/** Decides what a create does when `inputs.vmName` is not found in `inputs.namespace`. */
export function missingVmOutcome(
  inputs: Pick<ProviderInputs, "namespace" | "vmName" | "whenVmMissing">,
): MissingVmOutcome {
  const vm = `VirtualMachine ${inputs.namespace}/${inputs.vmName}`;
  if (inputs.whenVmMissing === "skip") {
    return {
      kind: "skip",
      note:
        `${vm} does not exist, so no snapshot was taken (whenVmMissing is "skip"); the resource is ` +
        "recorded as skipped. A change of its triggers replaces it with a snapshot of the VM as it is then.",
    };
  }
  return {
    kind: "fail",
    message:
      `${vm} not found (404), so nothing was created. Fix: check namespace and vmName ` +
      `(kubectl get vm -n ${inputs.namespace}); if this program creates the VM after the snapshot (a ` +
      'snapshot before each change of it), set whenVmMissing: "skip" so the first `pulumi up` skips it.',
  };
}
