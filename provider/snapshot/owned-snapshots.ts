/**
 * One resource's snapshots as they are in the cluster, listed by the owner-hash label and confirmed by the
 * owner annotation (ownership.ts). Both the history code and `delete` read them.
 */
import type { OperationContext } from "../core/operation";
import type { VirtualMachineSnapshot } from "../kube/types";
import type { ProviderInputs } from "./inputs";
import { isOwnedBy, ownerSelector } from "./ownership";

/** What the history code needs to know about the resource besides its context. */
export type HistoryOwner = Pick<ProviderInputs, "owner" | "deleteTimeout">;

/** The snapshots of `owner` in the resource's namespace other than its own (`ctx.ref`), none being deleted. */
export async function ownSnapshots(ctx: OperationContext, owner: string): Promise<VirtualMachineSnapshot[]> {
  const listed = await ctx.cluster.listSnapshotsByLabel(ctx.version, ctx.ref.namespace, ownerSelector(owner));
  return listed.filter(
    (s) => isOwnedBy(s, owner) && s.metadata.name !== ctx.ref.name && !s.metadata.deletionTimestamp,
  );
}
