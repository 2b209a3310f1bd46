/** `read` and `delete` for `VMRestore`. Delete removes the restore object only, never the restored VM. */
import { formatDuration, parseDuration } from "../../shared/duration";
import { observe, untilGone } from "../core/observe";
import type { ReadOutcome } from "../core/outcomes";
import { stringProp } from "../core/props";
import { restoreStream } from "../kube/streams";
import type { VirtualMachineRestore } from "../kube/types";
import type { RestoreContext } from "./create";
import { buildRestoreOutputs } from "./outputs";
import { summarizeRestore } from "./progress";

/** Re-reads the resource's restore (`ctx.ref`, Pulumi id `id`) under its stored outputs; a 404 drops it. */
export async function readRestore(
  ctx: RestoreContext,
  id: string,
  props: Record<string, unknown>,
): Promise<ReadOutcome> {
  const live = await ctx.cluster.getRestore(ctx.ref);
  if (!live) return {};
  const { __provider: _provider, ...stored } = props;
  return { id, props: buildRestoreOutputs(stored, live, stringProp(props, "apiVersion") || ctx.version) };
}

/** Deletes the resource's restore object (Pulumi id `id`) and waits until KubeVirt released it (its finalizer). */
export async function deleteRestore(
  ctx: RestoreContext,
  id: string,
  props: Record<string, unknown>,
): Promise<void> {
  if (!(await ctx.cluster.deleteRestore(ctx.ref))) return;
  const boundMs = parseDuration(stringProp(props, "deleteTimeout", "5m")) ?? 300_000;
  const { value: gone, last } = await observe<true, VirtualMachineRestore>({
    ...ctx.deps,
    stream: restoreStream(ctx.cluster, ctx.ref),
    decide: untilGone,
    boundMs,
    progress: ctx.reporter(ctx.ref, { activity: "deleting", summarize: summarizeRestore }),
  });
  if (gone) return;
  throw ctx.fail(
    `VirtualMachineRestore ${id} was still there ${formatDuration(boundMs)} after its deletion ` +
      `(finalizers ${JSON.stringify(last?.metadata.finalizers ?? [])}). KubeVirt removes its finalizer when it ` +
      "processes the deletion. Fix: check the KubeVirt controller (virt-controller logs), then run the operation again.",
  );
}
