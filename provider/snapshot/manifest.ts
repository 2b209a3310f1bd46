/** The `VirtualMachineSnapshot` object to create, and metadata patches. Pure. */
import {
  CREATED_AT_ANNOTATION,
  KUBEVIRT_GROUP,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  OWNER_ANNOTATION,
  OWNER_HASH_LABEL,
  SNAPSHOT_GROUP,
} from "../core/constants";
import { ownerHash } from "./ownership";
import type { MetadataPatch } from "../kube/cluster";
import type { VirtualMachineSnapshot } from "../kube/types";
import type { ProviderInputs } from "./inputs";

/** The labels written to the snapshot: the user's plus the managed-by and owner-hash markers. */
export function snapshotLabels(inputs: Pick<ProviderInputs, "labels" | "owner">): Record<string, string> {
  return {
    ...(inputs.labels ?? {}),
    [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
    ...(inputs.owner ? { [OWNER_HASH_LABEL]: ownerHash(inputs.owner) } : {}),
  };
}

/** The annotations written to the snapshot: the user's plus the owner marker. */
export function snapshotAnnotations(
  inputs: Pick<ProviderInputs, "annotations" | "owner">,
): Record<string, string> {
  return { ...(inputs.annotations ?? {}), [OWNER_ANNOTATION]: inputs.owner };
}

/**
 * Builds the snapshot to create. Only `source`, `deletionPolicy` and `failureDeadline` go into the spec;
 * `createdAtMs` (the provider's clock) is stamped for ordering history.
 */
export function buildSnapshotManifest(
  inputs: ProviderInputs,
  version: string,
  createdAtMs?: number,
): VirtualMachineSnapshot {
  const createdAt: Record<string, string> =
    createdAtMs === undefined ? {} : { [CREATED_AT_ANNOTATION]: new Date(createdAtMs).toISOString() };
  return {
    apiVersion: `${SNAPSHOT_GROUP}/${version}`,
    kind: "VirtualMachineSnapshot",
    metadata: {
      name: inputs.name,
      namespace: inputs.namespace,
      labels: snapshotLabels(inputs),
      annotations: { ...snapshotAnnotations(inputs), ...createdAt },
    },
    spec: {
      source: { apiGroup: KUBEVIRT_GROUP, kind: "VirtualMachine", name: inputs.vmName },
      deletionPolicy: inputs.deletionPolicy,
      failureDeadline: inputs.failureDeadline,
    },
  };
}

function mapPatch(olds: Record<string, string>, news: Record<string, string>): Record<string, string | null> {
  const patch: Record<string, string | null> = {};
  for (const key of Object.keys(olds)) if (!(key in news)) patch[key] = null;
  for (const [key, value] of Object.entries(news)) if (olds[key] !== value) patch[key] = value;
  return patch;
}

/** The merge patch that turns the old labels/annotations into the new ones; `undefined` when nothing changes. */
export function metadataPatch(
  olds: Pick<ProviderInputs, "labels" | "annotations" | "owner">,
  news: Pick<ProviderInputs, "labels" | "annotations" | "owner">,
): MetadataPatch | undefined {
  const labels = mapPatch(snapshotLabels(olds), snapshotLabels(news));
  const annotations = mapPatch(snapshotAnnotations(olds), snapshotAnnotations(news));
  return Object.keys(labels).length || Object.keys(annotations).length ? { labels, annotations } : undefined;
}
