/** `read` (refresh): the live snapshot's status over the stored state; a 404 drops the resource. */
import type { ProviderDeps } from "../core/deps";
import { buildOutputs } from "./outputs";
import { historyOwnerOf, numberProp, stringProp } from "../core/props";
import { listHistory } from "./history";
import { openStoredSession } from "../core/session";
import type { ReadOutcome } from "../core/outcomes";

/** Re-reads the snapshot named by the stored outputs. */
export async function readSnapshot(
  deps: ProviderDeps,
  id: string,
  props: Record<string, unknown>,
): Promise<ReadOutcome> {
  const { session, namespace, name } = await openStoredSession(deps, id, props);
  const live = await session.cluster.getSnapshot({ version: session.version, namespace, name });
  if (!live) return {};
  const { __provider: _provider, ...stored } = props;
  const observation = {
    online: props["online"] === true,
    guestAgentConnected: props["guestAgentConnected"] === true,
  };
  const owner = historyOwnerOf(props, namespace, name);
  const keptHistory =
    owner && numberProp(props, "history") > 0 ? await listHistory(session, owner, name) : [];
  return {
    id,
    props: buildOutputs(
      stored,
      live,
      stringProp(props, "apiVersion", session.version) || session.version,
      observation,
      keptHistory,
    ),
  };
}
