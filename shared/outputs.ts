/** The outputs of a `VMSnapshot`, as the provider writes them to state (no `undefined`; times as ISO strings). */

/** One of KubeVirt's `status.sourceIndications`: what kind of snapshot it is, and KubeVirt's explanation. */
export interface SourceIndicationOutput {
  /** `Online`, `GuestAgent`, `NoGuestAgent`, `Paused`, `QuiesceTimeout` or `PartialSnapshot`. */
  indication: string;
  /** KubeVirt's fixed message for the indication. */
  message: string;
}

/** One earlier snapshot kept as history of a `VMSnapshot` (input `history`). */
export interface HistoryEntryOutput {
  /** Kubernetes name of the snapshot. */
  name: string;
  /** When its point in time was cut (ISO 8601), "" if it never was. */
  creationTime: string;
  /** Whether it can be restored from. */
  readyToUse: boolean;
  /** KubeVirt's phase. */
  phase: string;
}

/** Status outputs of a `VMSnapshot`. */
export interface VMSnapshotStatusOutputs {
  /** Kubernetes name of the `VirtualMachineSnapshot`. */
  snapshotName: string;
  /** Namespace of the snapshot and its VM. */
  namespace: string;
  /** The source VM. */
  vmName: string;
  /** The `snapshot.kubevirt.io` version used (`v1`, `v1beta1` or `v1alpha1`), chosen by discovery. */
  apiVersion: string;
  /** UID of the snapshot object. */
  uid: string;
  /** `InProgress`, `Succeeded`, `Failed` or `Deleting` ("" before KubeVirt's first status write). */
  phase: string;
  /** True when every volume snapshot is usable (a restore can use it). */
  readyToUse: boolean;
  /** When the point in time was cut (ISO 8601), "" until then. */
  creationTime: string;
  /** Whether the VM was running (a VMI existed) when the snapshot was taken. */
  online: boolean;
  /** Whether the QEMU guest agent was connected (`AgentConnected`), so the file systems could be frozen. */
  guestAgentConnected: boolean;
  /**
   * `frozen` (the guest agent froze the file systems), `crash-consistent` (copied while the guest ran unfrozen:
   * no agent, a paused guest, or KubeVirt's `QuiesceFailed` / `QuiesceTimeout`), `offline` (VM stopped), or ""
   * before the snapshot is cut.
   */
  consistency: string;
  /** KubeVirt's `status.indications`, e.g. `["GuestAgent", "Online"]`. */
  indications: string[];
  /** KubeVirt's `status.sourceIndications` with their messages. */
  sourceIndications: SourceIndicationOutput[];
  /** Volumes captured (`status.snapshotVolumes.includedVolumes`). */
  includedVolumes: string[];
  /** Volumes left out (`status.snapshotVolumes.excludedVolumes`). */
  excludedVolumes: string[];
  /** Name of the `VirtualMachineSnapshotContent`, "" until it exists. */
  contentName: string;
  /** KubeVirt's `status.error.message`, "" when none. */
  error: string;
  /** UID of the source VM. */
  sourceUid: string;
  /** Earlier snapshots kept as history, newest first (empty unless `history` > 0). */
  keptHistory: HistoryEntryOutput[];
  /**
   * True when no snapshot was taken because the VM did not exist and `whenVmMissing` is "skip"; then
   * `snapshotName` is "", `readyToUse` false, and the status outputs are empty.
   */
  skipped: boolean;
}
