/**
 * Leftovers of interrupted runs, found and settled. Every snapshot this provider creates is marked pending
 * until the engine's state records it (see {@link commitSnapshot}); one still pending belongs to a run that was
 * killed, cancelled or lost its provider host before its create answered. Before creating, `create` settles the
 * resource's leftovers (leftover-plan.ts decides): the one the interrupted run was taking is adopted, the rest
 * become history or are deleted. `delete` deletes any it finds (delete.ts).
 */
import { CLAIM_ANNOTATION, HISTORY_LABEL, PENDING_ANNOTATION } from "../core/constants";
import type { OperationContext } from "../core/operation";
import type { SnapshotRef } from "../kube/cluster";
import type { VirtualMachineSnapshot } from "../kube/types";
import { deleteLeftovers } from "./delete";
import type { ProviderInputs } from "./inputs";
import { snapshotIntent } from "./intent";
import { leftoversOf, planLeftovers } from "./leftover-plan";
import { ownSnapshots } from "./owned-snapshots";

/** What settling needs of the inputs. */
type SettleInputs = Pick<
  ProviderInputs,
  "owner" | "vmName" | "failureDeadline" | "deletionPolicy" | "triggers" | "history" | "deleteTimeout"
>;

/** What settling leftovers left: the snapshot to adopt, and the owner's other snapshots as they are now. */
export interface SettledLeftovers {
  /** The snapshot the interrupted run was taking, to take over (only with `mayAdopt`). */
  adopted: VirtualMachineSnapshot | undefined;
  /**
   * The resource's other snapshots after settling (the adopted one, the deleted ones left out; those kept as
   * history relabelled), so the history step after the wait need not list them again.
   */
  others: VirtualMachineSnapshot[];
}

/**
 * Settles the resource's leftovers before a create: finds the one to adopt (the snapshot the interrupted run
 * was taking, same intent, not Failed; only with `mayAdopt`), keeps the other usable ones as history (when the
 * resource keeps history) and deletes the rest.
 */
export async function settleLeftovers(
  ctx: OperationContext,
  inputs: SettleInputs,
  options: { mayAdopt: boolean },
): Promise<SettledLeftovers> {
  const own = await ownSnapshots(ctx, inputs.owner);
  const leftovers = leftoversOf(own);
  if (!leftovers.length) return { adopted: undefined, others: own };
  const intent = options.mayAdopt ? snapshotIntent(inputs) : "";
  const plan = planLeftovers(leftovers, intent, inputs.history);
  const kept = new Map<string, VirtualMachineSnapshot>();
  for (const name of plan.toHistory) {
    ctx.say(`keeping ${ctx.ref.namespace}/${name}, left ready by an interrupted run, as history.`);
    const marked = await ctx.cluster.patchSnapshotMetadata(ctx.refTo(name), {
      labels: { [HISTORY_LABEL]: "true" },
      annotations: { [PENDING_ANNOTATION]: null },
    });
    kept.set(name, marked);
  }
  await deleteLeftovers(ctx, plan.toDelete, inputs.deleteTimeout);
  const adopted = leftovers.find((s) => s.metadata.name === plan.adopt);
  if (adopted) {
    ctx.say(
      `taking over ${ctx.ref.namespace}/${plan.adopt}, the snapshot an interrupted run of this resource was ` +
        `taking (phase ${adopted.status?.phase || "?"}), instead of creating another.`,
    );
  }
  const gone = new Set([...plan.toDelete, plan.adopt]);
  const others = own
    .filter((s) => !gone.has(s.metadata.name))
    .map((s) => kept.get(s.metadata.name ?? "") ?? s);
  return { adopted, others };
}

/**
 * Marks the snapshot as recorded: clears the pending marker and writes this create's claim. Called last before
 * `create` answers (success or a partial failure the engine stores). If it cannot be written, a warning says
 * so; the claim in state still keeps a later adoption from being deleted under it.
 */
export async function commitSnapshot(ctx: OperationContext, ref: SnapshotRef, claim: string): Promise<void> {
  try {
    await ctx.cluster.patchSnapshotMetadata(ref, {
      labels: {},
      annotations: { [PENDING_ANNOTATION]: null, [CLAIM_ANNOTATION]: claim },
    });
  } catch (error) {
    ctx.warn(
      `warning: could not clear the pending marker of ${ref.namespace}/${ref.name} (${error instanceof Error ? error.message : String(error)}); ` +
        `it is recorded in state all the same. Fix: run \`pulumi refresh\` once the cluster answers, which clears it.`,
    );
  }
}
