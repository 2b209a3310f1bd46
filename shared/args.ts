/**
 * The inputs of a `VMSnapshot`, defined once as a zod schema. The TypeScript types users see
 * (`VMSnapshotArgs`) and the provider's validated inputs are derived from it, so the two cannot drift.
 */
import { z } from "zod";
import { parseDuration } from "./duration";
import { dnsName, duration, enumField, flag, kubeContext, show, stringList } from "./fields";
import { isLabelValue, isQualifiedKey } from "./names";

/** The largest `history` accepted. */
export const MAX_HISTORY = 100;

/** Label and annotation key prefix reserved for this package's own markers. */
export const RESERVED_KEY_PREFIX = "pulumi-kubevirt-snapshot.io/";

function stringMap(field: string, checkValue: boolean) {
  const value = z.string({
    error: (issue) =>
      `${field} value ${show(issue.input)} is not a string. Fix: write every ${field} value as a string (quote it).`,
  });
  const notMap = (issue: { input?: unknown }) =>
    `${field} is ${show(issue.input)}, which is not a map of strings. Fix: give an object of strings, e.g. ` +
    `{ team: "db" }, or leave ${field} unset.`;
  return z.record(z.string(), value, { error: notMap }).superRefine((map, ctx) => {
    for (const [key, value] of Object.entries(map)) {
      if (!isQualifiedKey(key)) {
        ctx.addIssue({
          code: "custom",
          path: [key],
          message: `${field} key ${show(key)} is not a valid Kubernetes key ([prefix/]name, name ≤ 63 alphanumerics, '-', '_', '.'). Fix: rename it.`,
        });
      } else if (key.startsWith(RESERVED_KEY_PREFIX)) {
        ctx.addIssue({
          code: "custom",
          path: [key],
          message: `${field} key ${show(key)} uses the prefix "${RESERVED_KEY_PREFIX}", which this package reserves for its own markers. Fix: choose another key.`,
        });
      } else if (checkValue && !isLabelValue(value)) {
        ctx.addIssue({
          code: "custom",
          path: [key],
          message: `${field} value ${show(value)} for key ${show(key)} is not a valid label value (≤ 63 alphanumerics, '-', '_', '.', alphanumeric at both ends). Fix: shorten or simplify it, or use annotations.`,
        });
      }
    }
  });
}

/** The fields of the user-facing inputs, shared by the SDK schema and the provider's schema. */
export const vmSnapshotArgsShape = {
  /** Namespace of the VirtualMachine; the snapshot is created there too. */
  namespace: dnsName("namespace", "label"),
  /** Name of the KubeVirt `VirtualMachine` to snapshot (`spec.source.name`). */
  vmName: dnsName("vmName", "subdomain"),
  /**
   * Kubernetes name of the `VirtualMachineSnapshot`.
   * @default - `<resource name>-<random suffix>`, chosen once and kept across updates.
   */
  name: dnsName("name", "subdomain").optional(),
  /**
   * KubeVirt's `spec.failureDeadline`: after this long the snapshot is Failed. "0" disables it (then `timeout` is required).
   * @default "5m"
   */
  failureDeadline: duration("failureDeadline", "10m", true).default("5m"),
  /**
   * Local bound on how long `pulumi up` waits for the snapshot.
   * @default - failureDeadline + 2m grace (required when failureDeadline is "0").
   */
  timeout: duration("timeout", "15m", false).optional(),
  /**
   * Local bound on how long a delete waits until the snapshot is gone (finalizers released).
   * @default "5m"
   */
  deleteTimeout: duration("deleteTimeout", "5m", false).default("5m"),
  /**
   * What counts as done: "readyToUse" (every volume snapshot usable) or "succeeded" (point in time cut, guest thawed).
   * @default "readyToUse"
   */
  waitFor: enumField("waitFor", ["readyToUse", "succeeded"] as const, "readyToUse"),
  /**
   * Guest-agent policy for running VMs: "prefer" warns without a connected agent, "require" refuses before
   * creating anything, "ignore" says nothing.
   * @default "prefer"
   */
  guestAgent: enumField("guestAgent", ["prefer", "require", "ignore"] as const, "prefer"),
  /**
   * What a create does when the VM does not exist: "fail" refuses (nothing is created); "skip" takes no
   * snapshot and records the resource as skipped (output `skipped`), for a VM the same program creates after
   * it. A skipped resource stays so until a replacing input (e.g. `triggers`) changes; it is then replaced by
   * a snapshot of the VM as it is by then.
   * @default "fail"
   */
  whenVmMissing: enumField("whenVmMissing", ["fail", "skip"] as const, "fail"),
  /**
   * KubeVirt's `spec.deletionPolicy`: "Retain" keeps the ready content and its VolumeSnapshots after deletion.
   * @default "Delete"
   */
  deletionPolicy: enumField("deletionPolicy", ["Delete", "Retain"] as const, "Delete"),
  /** Labels for the snapshot object; the only inputs (with annotations) that update in place. */
  labels: stringMap("labels", true).optional(),
  /** Annotations for the snapshot object; updated in place. */
  annotations: stringMap("annotations", false).optional(),
  /** Free-form values; any change takes a new snapshot (replace). Bind them to what the snapshot protects. */
  triggers: stringList("triggers"),
  /**
   * What to do with a Failed snapshot: "keep" leaves it in the cluster and in state (replaced by the next
   * `pulumi up`); "delete" deletes it, waits until it is gone, then fails.
   * @default "keep"
   */
  onFailure: enumField("onFailure", ["keep", "delete"] as const, "keep"),
  /**
   * Take a configuration-only snapshot when no volume of the VM can be snapshotted (KubeVirt's behaviour).
   * @default false
   */
  allowEmpty: flag("allowEmpty", false),
  /**
   * How many earlier snapshots of this resource to keep when a trigger change replaces it. The replaced
   * snapshot is labelled as history instead of deleted; beyond the newest N, history is pruned (Failed
   * ones first, then the oldest). Needs a generated name (leave `name` unset).
   * @default 0 (the replaced snapshot is deleted)
   */
  history: z
    .number({
      error: (issue) =>
        `history must be a whole number from 0 to ${MAX_HISTORY} (got ${show(issue.input)}). ` +
        "Fix: write it as a number, e.g. 7, or leave it unset for 0.",
    })
    .int({
      error: (issue) => `history is ${show(issue.input)}, which is not a whole number. Fix: use e.g. 7.`,
    })
    .min(0, {
      error: (issue) =>
        `history is ${show(issue.input)}; allowed: 0 to ${MAX_HISTORY}. Fix: use e.g. 7, or 0 to keep none.`,
    })
    .max(MAX_HISTORY, {
      error: (issue) =>
        `history is ${show(issue.input)}; allowed: 0 to ${MAX_HISTORY}. Fix: keep fewer, e.g. 30.`,
    })
    .default(0),
  /**
   * Keep this resource's history snapshots when the resource is destroyed (they are deleted otherwise).
   * @default false
   */
  retainHistoryOnDestroy: flag("retainHistoryOnDestroy", false),
  /**
   * Take over the existing snapshot named by `name` instead of creating one: the import path for
   * snapshots made outside Pulumi. It must exist, be of `vmName`, not be Failed, and not belong to
   * another Pulumi resource.
   * @default false
   */
  adopt: flag("adopt", false),
  /** Kubeconfig context to use instead of the current one (or the stack config `pulumi-kubevirt-snapshot:context`). */
  context: kubeContext(),
} as const;

/** The user-facing inputs of `VMSnapshot`, as a zod object schema (defaults applied on parse). */
export const vmSnapshotArgsSchema = z.object(vmSnapshotArgsShape).strict();

/**
 * Rules that span several fields. They are kept out of the zod object so they are reported together with
 * the per-field problems (zod skips object refinements while a field is invalid).
 * @returns one `{path, message}` per problem.
 */
export function crossFieldIssues(raw: Record<string, unknown>): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  const deadline =
    typeof raw["failureDeadline"] === "string" ? parseDuration(raw["failureDeadline"]) : undefined;
  if (deadline === 0 && raw["timeout"] === undefined) {
    issues.push({
      path: "timeout",
      message:
        'timeout is required when failureDeadline is "0": KubeVirt then never fails the snapshot, so the wait ' +
        'needs its own bound. Fix: set timeout, e.g. "30m", or give failureDeadline a value such as "10m".',
    });
  }
  const named = raw["name"] !== undefined;
  if (raw["adopt"] === true && !named) {
    issues.push({
      path: "adopt",
      message:
        "adopt is true but name is not set: adopt takes over an existing snapshot, named by name. Fix: set name " +
        "to the existing VirtualMachineSnapshot's name (kubectl get vmsnapshot -n <namespace>), or remove adopt.",
    });
  }
  if (typeof raw["history"] === "number" && raw["history"] > 0 && named) {
    issues.push({
      path: "history",
      message:
        `history is ${raw["history"]} but name is fixed (${show(raw["name"])}): a fixed name must be deleted before ` +
        "its replacement is created, so it cannot be kept as history. Fix: leave name unset (a generated " +
        "name per snapshot), or set history to 0.",
    });
  }
  return issues;
}

/** The plain (already resolved) inputs of a `VMSnapshot`, before defaults. */
export type VMSnapshotInputs = z.input<typeof vmSnapshotArgsSchema>;

/** The inputs after validation, with every default applied. */
export type VMSnapshotResolvedInputs = z.output<typeof vmSnapshotArgsSchema>;
