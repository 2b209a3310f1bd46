/** `update`: patch labels/annotations (the only in-place changes); store the other steering inputs. */
import type { ProviderDeps } from "../core/deps";
import { ProviderError } from "../core/errors";
import type { ProviderInputs } from "./inputs";
import { buildOutputs } from "./outputs";
import type { PlainValue } from "../core/sanitize";
import { settleHistory } from "./history";
import { metadataPatch } from "./manifest";
import { stringProp } from "../core/props";
import { openSession } from "../core/session";

/** Applies a non-replacing change and returns the new outputs. */
export async function updateSnapshot(
  deps: ProviderDeps,
  id: string,
  olds: Record<string, unknown>,
  news: ProviderInputs,
): Promise<{ outs: Record<string, PlainValue> }> {
  const session = await openSession(deps, news.context, stringProp(olds, "apiVersion"));
  const ref = { version: session.version, namespace: news.namespace, name: news.name };
  const patch = metadataPatch(olds as Partial<ProviderInputs> as ProviderInputs, news);
  const live = patch
    ? await session.cluster.patchSnapshotMetadata(ref, patch)
    : await session.cluster.getSnapshot(ref);
  if (!live) {
    throw new ProviderError(
      `[${news.resourceName}] VirtualMachineSnapshot ${id} no longer exists. Fix: run \`pulumi refresh\` (it drops ` +
        "the resource from state) and then `pulumi up` to take a new snapshot.",
    );
  }
  const { __provider: _provider, ...inputs } = news as ProviderInputs & { __provider?: unknown };
  const observation = {
    online: olds["online"] === true,
    guestAgentConnected: olds["guestAgentConnected"] === true,
  };
  const keptHistory = await settleHistory(deps, session, news, news.name, {
    keep: news.history,
    takeOver: false,
  });
  return {
    outs: buildOutputs(
      inputs,
      live,
      stringProp(olds, "apiVersion", session.version) || session.version,
      observation,
      keptHistory,
    ),
  };
}
