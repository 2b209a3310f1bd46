/** The `VMRestore` resource: restores a VM from a snapshot with `pulumi up`. */
import * as pulumi from "@pulumi/pulumi";
import type { VMRestoreInputs } from "../shared/restore-args";
import type { RestoredVolumeOutput, VMRestoreStatusOutputs } from "../shared/restore-outputs";
import { resourceProps, type Inputify } from "./resource-props";
import { DynamicResource } from "./dynamic-resource";
import { RESTORE_PROVIDER_TEXT } from "./serialized-provider";
import type { VMSnapshot } from "./vm-snapshot";

/** Options shared by both ways of naming the snapshot. */
export type VMRestoreOptions = Inputify<Omit<VMRestoreInputs, "snapshotName" | "namespace">> & {
  /**
   * The former name of `timeout`: still accepted (the provider uses it as `timeout` and prints a warning);
   * setting both to different values is an error.
   * @deprecated Renamed to `timeout`, the name `VMSnapshot` uses too. Rename `deadline` to `timeout`.
   */
  deadline?: pulumi.Input<string>;
};

/**
 * The arguments of a `VMRestore`: the snapshot by name (`snapshotName` + `namespace`), or a `VMSnapshot`
 * resource (`snapshot`; its namespace is used unless given), plus the options of {@link VMRestoreOptions}.
 */
export type VMRestoreArgs = VMRestoreOptions &
  (
    | { snapshotName: pulumi.Input<string>; namespace: pulumi.Input<string>; snapshot?: never }
    | { snapshot: VMSnapshot; namespace?: pulumi.Input<string>; snapshotName?: never }
  );

const STATUS_OUTPUTS: readonly (keyof VMRestoreStatusOutputs)[] = [
  "restoreName",
  "apiVersion",
  "uid",
  "targetVm",
  "complete",
  "restoreTime",
  "progressing",
  "failure",
  "restores",
];

/**
 * A KubeVirt `VirtualMachineRestore` run by `pulumi up`: the snapshot must be readyToUse; the restore is
 * waited on until complete within `timeout`; a failure (e.g. the target VM still running under
 * `FailImmediate`) is reported with KubeVirt's reason, kept in state, and run again by the next `pulumi up`.
 * Deleting the resource deletes the restore object, never the restored VM.
 *
 * @example
 * const restore = new VMRestore("rollback", { snapshot: snap, targetReadinessPolicy: "StopTarget" });
 */
export class VMRestore extends DynamicResource {
  /** Kubernetes name of the restore. */
  declare readonly restoreName: pulumi.Output<string>;
  /** The snapshot.kubevirt.io version used. */
  declare readonly apiVersion: pulumi.Output<string>;
  /** UID of the restore object. */
  declare readonly uid: pulumi.Output<string>;
  /** The VM restored into. */
  declare readonly targetVm: pulumi.Output<string>;
  /** Whether KubeVirt finished the restore. */
  declare readonly complete: pulumi.Output<boolean>;
  /** When it finished (ISO 8601). */
  declare readonly restoreTime: pulumi.Output<string>;
  /** KubeVirt's last Progressing reason. */
  declare readonly progressing: pulumi.Output<string>;
  /** KubeVirt's Failure reason, "" when none. */
  declare readonly failure: pulumi.Output<string>;
  /** The restored volumes. */
  declare readonly restores: pulumi.Output<RestoredVolumeOutput[]>;

  /**
   * Restores a VM from a snapshot.
   * @param name The Pulumi resource name (also the base of the generated Kubernetes name).
   * @param args The snapshot and the restore options; see {@link VMRestoreArgs}.
   * @param opts Pulumi resource options.
   */
  constructor(name: string, args: VMRestoreArgs, opts?: pulumi.CustomResourceOptions) {
    const { snapshot, snapshotName, namespace, ...rest } = args;
    const props = resourceProps(
      name,
      {
        ...rest,
        snapshotName: snapshot ? snapshot.snapshotName : snapshotName,
        namespace: namespace ?? snapshot?.namespace,
      },
      STATUS_OUTPUTS,
    );
    super("VMRestore", RESTORE_PROVIDER_TEXT, name, props, opts);
  }
}
