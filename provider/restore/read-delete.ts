/** `read` and `delete` for `VMRestore`. Delete removes the restore object only, never the restored VM. */
import { formatDuration, parseDuration } from "../../shared/duration";
import { DEFAULT_DELETE_TIMEOUT } from "../core/constants";
import { observe, untilGone } from "../core/observe";
import type { ReadOutcome } from "../core/outcomes";
import { unreachableAfterDelete } from "../core/unreachable";
import type { StoredState } from "../core/stored-state";
import { restoreStream } from "../kube/streams";
import type { VirtualMachineRestore } from "../kube/types";
import type { RestoreContext } from "./create";
import { buildRestoreOutputs } from "./outputs";
import { summarizeRestore } from "./progress";
import type { RestoreState } from "./state";

/**
 * Re-reads the resource's restore (`ctx.ref`, Pulumi id `id`) under its stored outputs, which are written
 * back as they were stored (only the status outputs change); a 404 drops it.
 */
export async function readRestore(
  ctx: RestoreContext,
  id: string,
  stored: StoredState<RestoreState>,
): Promise<ReadOutcome> {
  const live = await ctx.cluster.getRestore(ctx.ref);
  if (!live) return {};
  const { __provider: _provider, ...props } = stored.props;
  return { id, props: buildRestoreOutputs(props, live, stored.state.apiVersion || ctx.version) };
}

/** Deletes the resource's restore object (Pulumi id `id`) and waits until KubeVirt released it (its finalizer). */
export async function deleteRestore(ctx: RestoreContext, id: string, state: RestoreState): Promise<void> {
  if (!(await ctx.cluster.deleteRestore(ctx.ref))) return;
  const boundMs = parseDuration(state.deleteTimeout ?? DEFAULT_DELETE_TIMEOUT) ?? 300_000;
  const {
    value: gone,
    last,
    unreachable,
  } = await observe<true, VirtualMachineRestore>({
    ...ctx.deps,
    stream: restoreStream(ctx.cluster, ctx.ref),
    decide: untilGone,
    boundMs,
    progress: ctx.reporter(ctx.ref, { activity: "deleting", summarize: summarizeRestore }),
  });
  if (gone) return;
  if (unreachable)
    throw ctx.fail(unreachableAfterDelete(`VirtualMachineRestore ${id}`, boundMs, unreachable));
  throw ctx.fail(
    `VirtualMachineRestore ${id} was still there ${formatDuration(boundMs)} after its deletion ` +
      `(finalizers ${JSON.stringify(last?.metadata.finalizers ?? [])}). KubeVirt removes its finalizer when it ` +
      "processes the deletion. Fix: check the KubeVirt controller (virt-controller logs), then run the operation again.",
  );
}
