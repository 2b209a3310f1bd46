/**
 * A skipped resource (its VM did not exist at create, `whenVmMissing: "skip"`) holds no snapshot: `read`
 * keeps it as stored and `update` stores the new inputs, neither touching the cluster. Pure. Its `delete`
 * deletes nothing of its own (delete.ts); a change of a replacing input replaces it (diff.ts).
 */
import type { ReadOutcome } from "../core/outcomes";
import type { PlainValue } from "../core/sanitize";
import type { StoredState } from "../core/stored-state";
import type { ProviderInputs } from "./inputs";
import { buildSkippedOutputs, storedInputs } from "./outputs";
import type { SnapshotState } from "./state";

/**
 * `read` of a skipped resource: the stored outputs, as they are (there is no snapshot to look at), less any
 * inputs at their defaults that an earlier build stored.
 */
export function readSkipped(id: string, stored: StoredState<SnapshotState>): ReadOutcome {
  const { __provider: _provider, ...props } = stored.props;
  return { id, props: storedInputs(props) as Record<string, PlainValue> };
}

/** `update` of a skipped resource: the new inputs over empty status outputs; it stays skipped. */
export function updateSkipped(
  news: ProviderInputs & { __provider?: unknown },
  olds: SnapshotState,
): { outs: Record<string, PlainValue> } {
  const { __provider: _provider, ...inputs } = news;
  return { outs: buildSkippedOutputs(inputs, olds.apiVersion ?? "") };
}
