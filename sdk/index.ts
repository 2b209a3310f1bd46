/** pulumi-kubevirt-snapshot: guest-agent-aware KubeVirt VM snapshots as a Pulumi resource. */
export { VMSnapshot, type VMSnapshotArgs } from "./vm-snapshot";
export { vmSnapshotArgsSchema, type VMSnapshotInputs, type VMSnapshotResolvedInputs } from "../shared/args";
export type { VMSnapshotStatusOutputs, SourceIndicationOutput, HistoryEntryOutput } from "../shared/outputs";
export { parseDuration } from "../shared/duration";
export { VMRestore, type VMRestoreArgs, type VMRestoreOptions } from "./vm-restore";
export {
  vmRestoreArgsSchema,
  type VMRestoreInputs,
  type VMRestoreResolvedInputs,
} from "../shared/restore-args";
export type { VMRestoreStatusOutputs, RestoredVolumeOutput } from "../shared/restore-outputs";
