/** `read` (refresh): the live snapshot's status over the stored state; a 404 drops the resource. */
import type { OperationContext } from "../core/operation";
import type { ReadOutcome } from "../core/outcomes";
import { numberProp, stringProp } from "../core/props";
import { listHistory } from "./history";
import { buildOutputs } from "./outputs";

/** Re-reads the resource's snapshot (`ctx.ref`, Pulumi id `id`) under its stored outputs `props`. */
export async function readSnapshot(
  ctx: OperationContext,
  id: string,
  props: Record<string, unknown>,
): Promise<ReadOutcome> {
  const live = await ctx.cluster.getSnapshot(ctx.ref);
  if (!live) return {};
  const { __provider: _provider, ...stored } = props;
  const observation = {
    online: props["online"] === true,
    guestAgentConnected: props["guestAgentConnected"] === true,
  };
  const owner = stringProp(props, "owner");
  const keptHistory = owner && numberProp(props, "history") > 0 ? await listHistory(ctx, owner) : [];
  const apiVersion = stringProp(props, "apiVersion", ctx.version) || ctx.version;
  return { id, props: buildOutputs(stored, live, { apiVersion, observation, keptHistory }) };
}
