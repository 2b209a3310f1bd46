/**
 * One resource's snapshots as they are in the cluster, listed by the owner-hash label and confirmed by the
 * owner annotation (ownership.ts). Both the history code and `delete` read them.
 */
import type { ProviderInputs } from "./inputs";
import type { VirtualMachineSnapshot } from "../kube/types";
import type { Session } from "../core/session";
import { isOwnedBy, ownerSelector } from "./ownership";

/** What the history code needs to know about the resource. */
export type HistoryOwner = Pick<ProviderInputs, "namespace" | "owner" | "resourceName" | "deleteTimeout">;

/** This owner's snapshots other than `current` (none being deleted). */
export async function ownSnapshots(
  session: Session,
  owner: HistoryOwner,
  current: string,
): Promise<VirtualMachineSnapshot[]> {
  const listed = await session.cluster.listSnapshotsByLabel(
    session.version,
    owner.namespace,
    ownerSelector(owner.owner),
  );
  return listed.filter(
    (s) => isOwnedBy(s, owner.owner) && s.metadata.name !== current && !s.metadata.deletionTimestamp,
  );
}
