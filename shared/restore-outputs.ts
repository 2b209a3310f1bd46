/** The outputs of a `VMRestore`, as the provider writes them to state (no `undefined`). */

/** One restored volume (`status.restores[]`). */
export interface RestoredVolumeOutput {
  /** The volume of the VM. */
  volumeName: string;
  /** The PVC created from the snapshot. */
  persistentVolumeClaim: string;
  /** The VolumeSnapshot it was restored from. */
  volumeSnapshotName: string;
}

/** Status outputs of a `VMRestore`. */
export interface VMRestoreStatusOutputs {
  /** Kubernetes name of the `VirtualMachineRestore`. */
  restoreName: string;
  /** The `snapshot.kubevirt.io` version used. */
  apiVersion: string;
  /** UID of the restore object. */
  uid: string;
  /** The VM restored into. */
  targetVm: string;
  /** Whether KubeVirt finished the restore. */
  complete: boolean;
  /** When it finished (ISO 8601), "" until then. */
  restoreTime: string;
  /** KubeVirt's last Progressing reason. */
  progressing: string;
  /** KubeVirt's Failure reason, "" when none. */
  failure: string;
  /** The restored volumes. */
  restores: RestoredVolumeOutput[];
}
