/** `update`: patch labels/annotations (the only in-place changes); store the other steering inputs. */
import type { OperationContext } from "../core/operation";
import type { PlainValue } from "../core/sanitize";
import { settleHistory } from "./history";
import type { ProviderInputs } from "./inputs";
import { metadataPatch } from "./manifest";
import { buildOutputs } from "./outputs";
import type { SnapshotState } from "./state";

/** Applies a non-replacing change to the resource's snapshot (`ctx.ref`, Pulumi id `id`); returns the outputs. */
export async function updateSnapshot(
  ctx: OperationContext,
  id: string,
  olds: SnapshotState,
  news: ProviderInputs,
): Promise<{ outs: Record<string, PlainValue> }> {
  const stored = { labels: olds.labels, annotations: olds.annotations, owner: olds.owner ?? "" };
  const patch = metadataPatch(stored, news);
  const live = patch
    ? await ctx.cluster.patchSnapshotMetadata(ctx.ref, patch)
    : await ctx.cluster.getSnapshot(ctx.ref);
  if (!live) {
    throw ctx.fail(
      `VirtualMachineSnapshot ${id} no longer exists. Fix: run \`pulumi refresh\` (it drops ` +
        "the resource from state) and then `pulumi up` to take a new snapshot.",
    );
  }
  const { __provider: _provider, ...inputs } = news as ProviderInputs & { __provider?: unknown };
  const observation = { online: olds.online, guestAgentConnected: olds.guestAgentConnected };
  const keptHistory = await settleHistory(ctx, news, { keep: news.history, takeOver: false });
  const apiVersion = olds.apiVersion || ctx.version;
  return { outs: buildOutputs(inputs, live, { apiVersion, observation, keptHistory }) };
}
