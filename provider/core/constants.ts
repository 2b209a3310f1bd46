/** Names shared by the provider's modules: API groups, markers, config keys. */

/** KubeVirt's snapshot API group. */
export const SNAPSHOT_GROUP = "snapshot.kubevirt.io";
/** Plural resource name of `VirtualMachineSnapshot`. */
export const SNAPSHOT_PLURAL = "virtualmachinesnapshots";
/** Plural resource name of `VirtualMachineRestore`. */
export const RESTORE_PLURAL = "virtualmachinerestores";
/** Versions of the snapshot API this provider speaks, most preferred first. */
export const SNAPSHOT_VERSIONS = ["v1", "v1beta1", "v1alpha1"] as const;
/** KubeVirt's core API group and version (VirtualMachine, VirtualMachineInstance). */
export const KUBEVIRT_GROUP = "kubevirt.io";
/** KubeVirt's core API version. */
export const KUBEVIRT_VERSION = "v1";

/** Label that marks snapshots made by this package. */
export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
/** Value of {@link MANAGED_BY_LABEL}. */
export const MANAGED_BY_VALUE = "pulumi-kubevirt-snapshot";
/** Label carrying a hash of the owner, so one resource's snapshots can be listed by label selector. */
export const OWNER_HASH_LABEL = "pulumi-kubevirt-snapshot.io/owner-hash";
/** Label set on a snapshot kept as history of its resource after a replacement. */
export const HISTORY_LABEL = "pulumi-kubevirt-snapshot.io/history";
/** Annotation naming the Pulumi resource (`<project>/<stack>/<resource name>`) that owns the snapshot. */
export const OWNER_ANNOTATION = "pulumi-kubevirt-snapshot.io/owner";
/**
 * When the provider created the snapshot, to the millisecond: orders a resource's history, since Kubernetes'
 * creationTimestamp has whole seconds and replacements can come within one.
 */
export const CREATED_AT_ANNOTATION = "pulumi-kubevirt-snapshot.io/created-at";

/**
 * Set on every snapshot the provider creates, removed once the engine's state records it (create answered,
 * or a refresh read it): a snapshot still carrying it is a leftover of an interrupted run that nothing in
 * state accounts for (provider/snapshot/leftovers.ts).
 */
export const PENDING_ANNOTATION = "pulumi-kubevirt-snapshot.io/pending";
/** A hash of the inputs that shape the snapshot (snapshot/intent.ts): which run's snapshot a leftover is. */
export const INTENT_ANNOTATION = "pulumi-kubevirt-snapshot.io/intent";
/**
 * A token of the create that last took the snapshot as its resource's (also in the outputs): when a later
 * create adopted it, the earlier state's delete finds another token and leaves it alone.
 */
export const CLAIM_ANNOTATION = "pulumi-kubevirt-snapshot.io/claim";

/** Stack config key holding a kubeconfig (file contents or a path); usually set with `--secret`. */
export const CONFIG_KUBECONFIG = "pulumi-kubevirt-snapshot:kubeconfig";
/** Stack config key naming the kubeconfig context. */
export const CONFIG_CONTEXT = "pulumi-kubevirt-snapshot:context";

/** Pulumi's marker for a value not known yet (preview); the Node SDK's `rpc.unknownValue`. */
export const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** The `deleteTimeout` input's default (both resources), for stored state cut short that lacks it. */
export const DEFAULT_DELETE_TIMEOUT = "5m";

/** Extra time the local wait allows beyond `failureDeadline`, for CSI readiness after Succeeded. */
export const DEFAULT_GRACE_MS = 120_000;
