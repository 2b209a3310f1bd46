/**
 * Which snapshots belong to one Pulumi resource, decided by the markers this package writes (a managed-by
 * label, an owner-hash label to select by, the exact owner annotation to confirm), never by name patterns.
 */
import { createHash } from "node:crypto";
import {
  HISTORY_LABEL,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  OWNER_ANNOTATION,
  OWNER_HASH_LABEL,
} from "../core/constants";
import type { VirtualMachineSnapshot } from "../kube/types";

/** A label-safe hash of the owner (`<project>/<stack>/<resource name>`). */
export function ownerHash(owner: string): string {
  return createHash("sha256").update(owner).digest("hex").slice(0, 40);
}

/** The label selector that narrows a listing to one owner's snapshots (confirm with {@link isOwnedBy}). */
export function ownerSelector(owner: string): string {
  return `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE},${OWNER_HASH_LABEL}=${ownerHash(owner)}`;
}

/** Whether this package made the snapshot for exactly this owner. */
export function isOwnedBy(snapshot: VirtualMachineSnapshot, owner: string): boolean {
  const { labels, annotations } = snapshot.metadata;
  return (
    labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE &&
    labels[OWNER_HASH_LABEL] === ownerHash(owner) &&
    annotations?.[OWNER_ANNOTATION] === owner
  );
}

/** Whether the snapshot is kept as history (a replacement took over as the resource's snapshot). */
export function isHistory(snapshot: VirtualMachineSnapshot): boolean {
  return snapshot.metadata.labels?.[HISTORY_LABEL] === "true";
}
