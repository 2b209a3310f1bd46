/**
 * The inputs of a `VMRestore`, defined once as a zod schema (like `VMSnapshot`'s in args.ts). Every field
 * but the waits reaches KubeVirt's immutable restore spec, so changing one takes a new restore.
 */
import { z } from "zod";
import { dnsName, duration, enumField, kubeContext, stringList } from "./fields";

/** KubeVirt's `targetReadinessPolicy` values (snapshot.kubevirt.io v1beta1). */
export const TARGET_READINESS_POLICIES = [
  "WaitGracePeriod",
  "StopTarget",
  "FailImmediate",
  "WaitEventually",
] as const;
/** KubeVirt's `volumeRestorePolicy` values (snapshot.kubevirt.io v1beta1). */
export const VOLUME_RESTORE_POLICIES = ["RandomizeNames", "InPlace", "PrefixTargetName"] as const;

/** The fields of the user-facing restore inputs (the SDK resolves `snapshot` into `snapshotName`). */
export const vmRestoreArgsShape = {
  /** Namespace of the snapshot and the restore. */
  namespace: dnsName("namespace", "label"),
  /** The `VirtualMachineSnapshot` to restore from; it must be readyToUse. */
  snapshotName: dnsName("snapshotName", "subdomain"),
  /**
   * The VM to restore into. A VM that does not exist is created from the snapshot; an existing VM other
   * than the snapshot's source is refused by KubeVirt.
   * @default - the snapshot's source VM
   */
  targetVmName: dnsName("targetVmName", "subdomain").optional(),
  /**
   * Kubernetes name of the `VirtualMachineRestore`.
   * @default - `<resource name>-<random suffix>`
   */
  name: dnsName("name", "subdomain").optional(),
  /**
   * What KubeVirt does when the target VM is running: "WaitGracePeriod" waits 5 minutes for you to stop it,
   * "StopTarget" stops it, "FailImmediate" fails the restore at once, "WaitEventually" waits without limit.
   * @default "WaitGracePeriod"
   */
  targetReadinessPolicy: enumField("targetReadinessPolicy", TARGET_READINESS_POLICIES, "WaitGracePeriod"),
  /**
   * How restored PVCs are named: "RandomizeNames" (`restore-<uid>-<volume>`), "InPlace" (the original names;
   * the original PVCs are deleted first) or "PrefixTargetName" (`<target VM>-<volume>`).
   * @default "RandomizeNames"
   */
  volumeRestorePolicy: enumField("volumeRestorePolicy", VOLUME_RESTORE_POLICIES, "RandomizeNames"),
  /**
   * Local bound on how long `pulumi up` waits for the restore to complete (the same name as VMSnapshot's;
   * formerly `deadline`, which is still accepted and mapped to it, with a warning).
   * @default "10m"
   */
  timeout: duration("timeout", "20m", false).default("10m"),
  /**
   * How long a delete waits until the restore object is gone.
   * @default "5m"
   */
  deleteTimeout: duration("deleteTimeout", "5m", false).default("5m"),
  /** Free-form values; any change runs the restore again (a new restore object). */
  triggers: stringList("triggers"),
  /** Kubeconfig context to use instead of the current one (or the stack config `pulumi-kubevirt-snapshot:context`). */
  context: kubeContext(),
} as const;

/** The user-facing inputs of `VMRestore`, as a zod object schema (defaults applied on parse). */
export const vmRestoreArgsSchema = z.object(vmRestoreArgsShape).strict();

/** The plain (already resolved) inputs of a `VMRestore`, before defaults. */
export type VMRestoreInputs = z.input<typeof vmRestoreArgsSchema>;

/** The inputs after validation, with every default applied. */
export type VMRestoreResolvedInputs = z.output<typeof vmRestoreArgsSchema>;
