/** `read` and `delete` for `VMRestore`. Delete removes the restore object only, never the restored VM. */
import { formatDuration, parseDuration } from "../../shared/duration";
import { ProviderError } from "../core/errors";
import { openStoredSession, reporterFor } from "../core/session";
import type { ReadOutcome } from "../core/outcomes";
import { stringProp } from "../core/props";
import type { RestoreDeps } from "./create";
import { summarizeRestore } from "./progress";
import { buildRestoreOutputs } from "./outputs";
import { observe, untilGone } from "../core/observe";
import { restoreStream } from "../kube/streams";
import type { VirtualMachineRestore } from "../kube/types";

/** Re-reads the restore; a 404 drops it from state. */
export async function readRestore(
  deps: RestoreDeps,
  id: string,
  props: Record<string, unknown>,
): Promise<ReadOutcome> {
  const { session, namespace, name } = await openStoredSession(deps, id, props);
  const live = await session.cluster.getRestore({ version: session.version, namespace, name });
  if (!live) return {};
  const { __provider: _provider, ...stored } = props;
  return { id, props: buildRestoreOutputs(stored, live, stringProp(props, "apiVersion") || session.version) };
}

/** Deletes the restore object and waits until KubeVirt released it (its finalizer). */
export async function deleteRestore(
  deps: RestoreDeps,
  id: string,
  props: Record<string, unknown>,
): Promise<void> {
  const { session, namespace, name } = await openStoredSession(deps, id, props);
  const ref = { version: session.version, namespace, name };
  const resourceName = stringProp(props, "resourceName", name);
  if (!(await session.cluster.deleteRestore(ref))) return;
  const boundMs = parseDuration(stringProp(props, "deleteTimeout", "5m")) ?? 300_000;
  const progress = reporterFor(deps, resourceName, ref, "deleting", summarizeRestore);
  const { value: gone, last } = await observe<true, VirtualMachineRestore>({
    ...deps,
    stream: restoreStream(session.cluster, ref),
    decide: untilGone,
    boundMs,
    progress,
  });
  if (gone) return;
  throw new ProviderError(
    `[${resourceName}] VirtualMachineRestore ${id} was still there ${formatDuration(boundMs)} after its deletion ` +
      `(finalizers ${JSON.stringify(last?.metadata.finalizers ?? [])}). KubeVirt removes its finalizer when it ` +
      "processes the deletion. Fix: check the KubeVirt controller (virt-controller logs), then run the operation again.",
  );
}
