/** pulumi-kubevirt-snapshot: guest-agent-aware KubeVirt VM snapshots as a Pulumi resource. */
export { VMSnapshot, type VMSnapshotArgs } from "./vm-snapshot";
export { vmSnapshotArgsSchema, type VMSnapshotInputs, type VMSnapshotResolvedInputs } from "./args";
export type { VMSnapshotStatusOutputs, SourceIndicationOutput, HistoryEntryOutput } from "./outputs";
export { parseDuration } from "./duration";
