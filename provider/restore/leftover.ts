/** Whether a restore of this resource's name, left by an interrupted run, is the restore asked for now. */
import type { VirtualMachineRestore } from "../kube/types";

/** What the program asks this resource to restore. */
export interface WantedRestore {
  namespace: string;
  name: string;
  snapshotName: string;
  targetVm: string;
}

/**
 * Why an own leftover cannot be picked up: it restores another snapshot or into another VM (a restore's spec
 * is immutable, so it can never become the one asked for). `undefined` when it is the restore asked for.
 */
export function leftoverMismatch(existing: VirtualMachineRestore, wanted: WantedRestore): string | undefined {
  const differences: string[] = [];
  const snapshot = existing.spec.virtualMachineSnapshotName;
  const target = existing.spec.target.name;
  if (snapshot !== wanted.snapshotName)
    differences.push(`snapshot "${snapshot}", not "${wanted.snapshotName}"`);
  if (target !== wanted.targetVm) differences.push(`VM "${target}", not "${wanted.targetVm}"`);
  if (differences.length === 0) return undefined;
  return (
    `the VirtualMachineRestore ${wanted.namespace}/${wanted.name}, left by an earlier run of this resource, ` +
    `restores ${differences.join(" and ")}; nothing was changed. ` +
    `Fix: delete it (kubectl delete virtualmachinerestore -n ${wanted.namespace} ${wanted.name}) and run ` +
    "pulumi up again, or choose another name (or leave name unset)."
  );
}
