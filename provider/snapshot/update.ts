/** `update`: patch labels/annotations (the only in-place changes); store the other steering inputs. */
import type { OperationContext } from "../core/operation";
import type { PlainValue } from "../core/sanitize";
import { stringProp } from "../core/props";
import { settleHistory } from "./history";
import type { ProviderInputs } from "./inputs";
import { metadataPatch } from "./manifest";
import { buildOutputs } from "./outputs";

/** Applies a non-replacing change to the resource's snapshot (`ctx.ref`, Pulumi id `id`); returns the outputs. */
export async function updateSnapshot(
  ctx: OperationContext,
  id: string,
  olds: Record<string, unknown>,
  news: ProviderInputs,
): Promise<{ outs: Record<string, PlainValue> }> {
  const patch = metadataPatch(olds as Partial<ProviderInputs> as ProviderInputs, news);
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
  const observation = {
    online: olds["online"] === true,
    guestAgentConnected: olds["guestAgentConnected"] === true,
  };
  const keptHistory = await settleHistory(ctx, news, { keep: news.history, takeOver: false });
  const apiVersion = stringProp(olds, "apiVersion", ctx.version) || ctx.version;
  return { outs: buildOutputs(inputs, live, { apiVersion, observation, keptHistory }) };
}
