/** The `VMSnapshot` resource users create in their Pulumi programs. */
import * as pulumi from "@pulumi/pulumi";
import type { VMSnapshotInputs } from "../shared/args";
import type { HistoryEntryOutput, SourceIndicationOutput, VMSnapshotStatusOutputs } from "../shared/outputs";
import { resourceProps, type Inputify } from "./resource-props";
import { DynamicResource } from "./dynamic-resource";
import { SNAPSHOT_PROVIDER_TEXT } from "./serialized-provider";

/** The arguments of a `VMSnapshot`: every field of the zod schema in `args.ts`, each a `pulumi.Input`. */
export type VMSnapshotArgs = Inputify<VMSnapshotInputs>;

/** Status outputs seeded as `undefined`, so Pulumi registers them as outputs of the resource. */
const STATUS_OUTPUTS: readonly (keyof VMSnapshotStatusOutputs)[] = [
  "snapshotName",
  "apiVersion",
  "uid",
  "phase",
  "readyToUse",
  "creationTime",
  "online",
  "guestAgentConnected",
  "consistency",
  "indications",
  "sourceIndications",
  "includedVolumes",
  "excludedVolumes",
  "contentName",
  "error",
  "sourceUid",
  "keptHistory",
  "skipped",
];

/**
 * A KubeVirt `VirtualMachineSnapshot` taken by `pulumi up`: guest-agent-aware (the file systems are frozen
 * when the QEMU guest agent is connected), waited on until `readyToUse` (or `Succeeded`) within
 * `failureDeadline`, with Failed snapshots kept visible in state and replaced by the next `pulumi up`.
 *
 * @example
 * const snap = new VMSnapshot("before-upgrade", { namespace: "prod", vmName: "db-1", failureDeadline: "10m" });
 * export const phase = snap.phase;
 */
export class VMSnapshot extends DynamicResource {
  /** Kubernetes name of the snapshot. */
  declare readonly snapshotName: pulumi.Output<string>;
  /** Namespace of the snapshot and its VM. */
  declare readonly namespace: pulumi.Output<string>;
  /** The source VM. */
  declare readonly vmName: pulumi.Output<string>;
  /** The snapshot.kubevirt.io version used (v1, v1beta1 or v1alpha1). */
  declare readonly apiVersion: pulumi.Output<string>;
  /** UID of the snapshot object. */
  declare readonly uid: pulumi.Output<string>;
  /** InProgress, Succeeded, Failed or Deleting. */
  declare readonly phase: pulumi.Output<string>;
  /** Whether every volume snapshot is usable. */
  declare readonly readyToUse: pulumi.Output<boolean>;
  /** When the point in time was cut (ISO 8601), "" until then. */
  declare readonly creationTime: pulumi.Output<string>;
  /** Whether the VM was running when the snapshot was taken. */
  declare readonly online: pulumi.Output<boolean>;
  /** Whether the guest agent was connected (file systems frozen). */
  declare readonly guestAgentConnected: pulumi.Output<boolean>;
  /** `frozen`, `crash-consistent` (no freeze held: see KubeVirt's indications), `offline`, or "" until cut. */
  declare readonly consistency: pulumi.Output<string>;
  /** KubeVirt's indications, e.g. ["GuestAgent", "Online"]. */
  declare readonly indications: pulumi.Output<string[]>;
  /** KubeVirt's indications with their messages. */
  declare readonly sourceIndications: pulumi.Output<SourceIndicationOutput[]>;
  /** Volumes captured. */
  declare readonly includedVolumes: pulumi.Output<string[]>;
  /** Volumes left out. */
  declare readonly excludedVolumes: pulumi.Output<string[]>;
  /** Name of the VirtualMachineSnapshotContent. */
  declare readonly contentName: pulumi.Output<string>;
  /** KubeVirt's error message, "" when none. */
  declare readonly error: pulumi.Output<string>;
  /** UID of the source VM. */
  declare readonly sourceUid: pulumi.Output<string>;
  /** Earlier snapshots kept as history (input `history`), newest first. */
  declare readonly keptHistory: pulumi.Output<HistoryEntryOutput[]>;
  /** True when the VM did not exist and `whenVmMissing` is "skip": no snapshot was taken (`snapshotName` ""). */
  declare readonly skipped: pulumi.Output<boolean>;

  /**
   * Takes a snapshot of `args.vmName` in `args.namespace`.
   * @param name The Pulumi resource name (also the base of the generated Kubernetes name).
   * @param args What to snapshot and how; see {@link VMSnapshotArgs}.
   * @param opts Pulumi resource options.
   */
  constructor(name: string, args: VMSnapshotArgs, opts?: pulumi.CustomResourceOptions) {
    const props = resourceProps(name, { ...args }, STATUS_OUTPUTS);
    super("VMSnapshot", SNAPSHOT_PROVIDER_TEXT, name, props, opts);
  }
}
