/** The state of a `VMRestore`: its inputs followed by what KubeVirt reported. Pure. */
import type { VMRestoreStatusOutputs } from "../../shared/restore-outputs";
import { findCondition, type VirtualMachineRestore } from "../kube/types";
import { sanitize, type PlainValue } from "../core/sanitize";

/** Maps a restore object to the status outputs ("" / false / [] for anything not written yet). */
export function restoreStatusOutputs(
  restore: VirtualMachineRestore,
  apiVersion: string,
): VMRestoreStatusOutputs {
  const status = restore.status ?? {};
  const failure = findCondition(status.conditions, "Failure");
  return {
    restoreName: restore.metadata.name ?? "",
    apiVersion,
    uid: restore.metadata.uid ?? "",
    targetVm: restore.spec.target.name,
    complete: status.complete === true,
    restoreTime: status.restoreTime ?? "",
    progressing: findCondition(status.conditions, "Progressing")?.reason ?? "",
    failure: failure?.status === "True" ? (failure.reason ?? "") : "",
    restores: (status.restores ?? []).map((r) => ({
      volumeName: r.volumeName ?? "",
      persistentVolumeClaim: r.persistentVolumeClaim ?? "",
      volumeSnapshotName: r.volumeSnapshotName ?? "",
    })),
  };
}

/** The full state, sanitized for protobuf. */
export function buildRestoreOutputs(
  inputs: Record<string, unknown>,
  restore: VirtualMachineRestore,
  apiVersion: string,
): Record<string, PlainValue> {
  return sanitize({ ...inputs, ...restoreStatusOutputs(restore, apiVersion) }) as Record<string, PlainValue>;
}
