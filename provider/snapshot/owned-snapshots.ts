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

/** One listing of an owner's snapshots, split around the resource's own object (`ctx.ref`). */
export interface OwnedAround {
  /** The resource's own snapshot, when it is listed with this owner's markers. */
  self: VirtualMachineSnapshot | undefined;
  /** The owner's other snapshots, none being deleted. */
  others: VirtualMachineSnapshot[];
}

/** Lists `owner`'s snapshots in the resource's namespace once and splits them around `ctx.ref`. */
export async function ownSnapshotsAround(ctx: OperationContext, owner: string): Promise<OwnedAround> {
  const listed = await ctx.cluster.listSnapshotsByLabel(ctx.version, ctx.ref.namespace, ownerSelector(owner));
  const owned = listed.filter((s) => isOwnedBy(s, owner));
  return {
    self: owned.find((s) => s.metadata.name === ctx.ref.name),
    others: owned.filter((s) => s.metadata.name !== ctx.ref.name && !s.metadata.deletionTimestamp),
  };
}

/** The snapshots of `owner` in the resource's namespace other than its own (`ctx.ref`), none being deleted. */
export async function ownSnapshots(ctx: OperationContext, owner: string): Promise<VirtualMachineSnapshot[]> {
  return (await ownSnapshotsAround(ctx, owner)).others;
}
