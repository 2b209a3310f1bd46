/**
 * `create` for `VMRestore`: check the snapshot is ready, create the `VirtualMachineRestore`, wait until it
 * completes. A failed or unfinished restore is kept as a partial failure (in state with an init error, so
 * nothing is orphaned and the next `pulumi up` runs it again).
 */
import { formatDuration, parseDuration } from "../../sdk/duration";
import { OWNER_ANNOTATION } from "../constants";
import type { ProviderDeps } from "../deps";
import { hasStatus, PartialFailureError, ProviderError } from "../errors";
import type { RestoreCluster } from "../kube/cluster";
import type { VirtualMachineRestore } from "../kube/types";
import { snapshotId } from "../lifecycle/manifest";
import { openSession, reporterFor, type Session } from "../lifecycle/session";
import type { PlainValue } from "../sanitize";
import type { RestoreInputs } from "./inputs";
import { buildRestoreManifest } from "./manifest";
import { buildRestoreOutputs } from "./outputs";
import { snapshotProblem, targetNotes } from "./preflight";
import { restoreFailureMessage } from "./failure-message";
import { summarizeRestore } from "./progress";
import { waitForRestore } from "./wait";

/** The restore's I/O: the provider deps over a cluster that can restore. */
export type RestoreDeps = ProviderDeps<RestoreCluster>;

/** Checks the snapshot and the target; returns the target VM's name. */
async function preflight(
  deps: RestoreDeps,
  session: Session<RestoreCluster>,
  inputs: RestoreInputs,
): Promise<string> {
  const prefix = `[${inputs.resourceName}] `;
  const snapshot = await session.cluster.getSnapshot({
    version: session.version,
    namespace: inputs.namespace,
    name: inputs.snapshotName,
  });
  const problem = snapshotProblem(snapshot, inputs);
  if (problem || !snapshot) throw new ProviderError(prefix + (problem ?? "snapshot missing"));
  const targetVm = inputs.targetVmName ?? snapshot.spec.source.name;
  const vm = await session.cluster.getVirtualMachine(inputs.namespace, targetVm);
  const vmi = vm ? await session.cluster.getVirtualMachineInstance(inputs.namespace, targetVm) : undefined;
  for (const note of targetNotes(vm, vmi, inputs, targetVm)) deps.log.info(prefix + note);
  return targetVm;
}

/** Creates the restore, or picks up this resource's own leftover from an interrupted run. */
async function createOrPickUp(
  deps: RestoreDeps,
  session: Session<RestoreCluster>,
  inputs: RestoreInputs,
  manifest: VirtualMachineRestore,
): Promise<VirtualMachineRestore> {
  try {
    return await session.cluster.createRestore(session.version, manifest);
  } catch (error) {
    if (!hasStatus(error, 409)) throw error;
    const ref = { version: session.version, namespace: inputs.namespace, name: inputs.name };
    const existing = await session.cluster.getRestore(ref);
    const owner = existing?.metadata.annotations?.[OWNER_ANNOTATION];
    if (!existing || owner !== inputs.owner) {
      throw new ProviderError(
        `[${inputs.resourceName}] a VirtualMachineRestore named "${inputs.name}" already exists in ${inputs.namespace}` +
          ` and ${owner ? `belongs to "${owner}"` : "was not made by pulumi-kubevirt-snapshot"}; nothing was changed. ` +
          "Fix: choose another name (or leave name unset), or delete the existing restore.",
      );
    }
    deps.log.info(
      `[${inputs.resourceName}] picking up ${inputs.namespace}/${inputs.name}, left by an earlier run.`,
    );
    return existing;
  }
}

/** Runs `create` for validated restore inputs (including `__provider` for partial-failure state). */
export async function createRestore(
  deps: RestoreDeps,
  inputs: RestoreInputs & { __provider?: unknown },
): Promise<{ id: string; outs: Record<string, PlainValue> }> {
  const session = await openSession(deps, inputs.context);
  const targetVm = await preflight(deps, session, inputs);
  const manifest = buildRestoreManifest(inputs, session.version, targetVm);
  const created = await createOrPickUp(deps, session, inputs, manifest);
  const ref = { version: session.version, namespace: inputs.namespace, name: inputs.name };
  const boundMs = parseDuration(inputs.deadline) ?? 600_000;
  const id = snapshotId(ref.namespace, ref.name);
  const { __provider: _provider, ...plain } = inputs;
  const result = await waitForRestore({
    ...deps,
    cluster: session.cluster,
    ref,
    boundMs,
    progress: reporterFor(deps, inputs.resourceName, ref, undefined, summarizeRestore),
  }).catch((error: unknown) => {
    const why = error instanceof Error ? error.message : String(error);
    const message =
      `[${inputs.resourceName}] created VirtualMachineRestore ${id} but could not follow it: ${why}\n` +
      "It is recorded in the stack's state so nothing is orphaned; fix the cause, then run `pulumi refresh`.";
    throw new PartialFailureError(message, id, buildRestoreOutputs(inputs, created, session.version), [
      message,
    ]);
  });
  const last = result.last ?? created;
  if (result.outcome.kind === "done") return { id, outs: buildRestoreOutputs(plain, last, session.version) };
  const message = restoreFailureMessage({
    ...inputs,
    targetVm,
    deadline: formatDuration(boundMs),
    outcome: result.outcome,
    last: result.last,
  });
  throw new PartialFailureError(message, id, buildRestoreOutputs(inputs, last, session.version), [message]);
}
