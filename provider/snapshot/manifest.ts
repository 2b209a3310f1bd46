/** The `VirtualMachineSnapshot` object to create, and metadata patches. Pure. */
import {
  CLAIM_ANNOTATION,
  CREATED_AT_ANNOTATION,
  INTENT_ANNOTATION,
  KUBEVIRT_GROUP,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  OWNER_ANNOTATION,
  OWNER_HASH_LABEL,
  PENDING_ANNOTATION,
  SNAPSHOT_GROUP,
} from "../core/constants";
import { snapshotIntent } from "./intent";
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

/** What a create stamps on its snapshot besides the inputs. */
export interface CreateMarks {
  /** The provider's clock when creating (ms), for ordering history. */
  createdAtMs: number;
  /** The claim token of this create (leftovers.ts). */
  claim: string;
}

/** The annotations only a create writes: created-at, pending (until state records it), intent and claim. */
function createAnnotations(inputs: ProviderInputs, marks: CreateMarks): Record<string, string> {
  return {
    [CREATED_AT_ANNOTATION]: new Date(marks.createdAtMs).toISOString(),
    [PENDING_ANNOTATION]: "true",
    [INTENT_ANNOTATION]: snapshotIntent(inputs),
    [CLAIM_ANNOTATION]: marks.claim,
  };
}

/**
 * Builds the snapshot to create. Only `source`, `deletionPolicy` and `failureDeadline` go into the spec; the
 * create's marks go into the annotations.
 */
export function buildSnapshotManifest(
  inputs: ProviderInputs,
  version: string,
  marks: CreateMarks,
): VirtualMachineSnapshot {
  return {
    apiVersion: `${SNAPSHOT_GROUP}/${version}`,
    kind: "VirtualMachineSnapshot",
    metadata: {
      name: inputs.name,
      namespace: inputs.namespace,
      labels: snapshotLabels(inputs),
      annotations: { ...snapshotAnnotations(inputs), ...createAnnotations(inputs, marks) },
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
