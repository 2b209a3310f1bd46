/** `read` (refresh): the live snapshot's status over the stored state; a 404 drops the resource. */
import type { OperationContext } from "../core/operation";
import type { ReadOutcome } from "../core/outcomes";
import type { StoredState } from "../core/stored-state";
import { listHistory } from "./history";
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
  const { __provider: _provider, ...props } = stored.props;
  const observation = { online: state.online, guestAgentConnected: state.guestAgentConnected };
  const keptHistory = state.owner && state.history > 0 ? await listHistory(ctx, state.owner) : [];
  const apiVersion = state.apiVersion || ctx.version;
  return { id, props: buildOutputs(props, live, { apiVersion, observation, keptHistory }) };
}
