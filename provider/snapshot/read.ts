/**
 * `read` (refresh): the live snapshot's status over the stored state; a 404 drops the resource. A snapshot still
 * marked pending (an import of a pending create, or a create whose marker could not be cleared) is marked
 * recorded, since state holds it from now on.
 */
import type { OperationContext } from "../core/operation";
import type { ReadOutcome } from "../core/outcomes";
import type { StoredState } from "../core/stored-state";
import { listHistory } from "./history";
import { claimOf, isPending } from "./leftover-plan";
import { commitSnapshot } from "./leftovers";
import { isOwnedBy } from "./ownership";
import { buildOutputs } from "./outputs";
import type { SnapshotState } from "./state";

/**
 * Re-reads the resource's snapshot (`ctx.ref`, Pulumi id `id`) under its stored outputs, which are written
 * back as they were stored (only the status outputs change).
 */
export async function readSnapshot(
  ctx: OperationContext,
  id: string,
  stored: StoredState<SnapshotState>,
): Promise<ReadOutcome> {
  const live = await ctx.cluster.getSnapshot(ctx.ref);
  if (!live) return {};
  const { state } = stored;
  const { __provider: _provider, ...stateProps } = stored.props;
  const claim = state.claim ?? claimOf(live);
  // Read by a refresh (or an import of a pending create), the snapshot is in state from now on.
  if (state.owner && isOwnedBy(live, state.owner) && isPending(live))
    await commitSnapshot(ctx, ctx.ref, claim ?? "");
  const props = claim === undefined ? stateProps : { ...stateProps, claim };
  const observation = { online: state.online, guestAgentConnected: state.guestAgentConnected };
  const keptHistory = state.owner && state.history > 0 ? await listHistory(ctx, state.owner) : [];
  const apiVersion = state.apiVersion || ctx.version;
  return { id, props: buildOutputs(props, live, { apiVersion, observation, keptHistory }) };
}
