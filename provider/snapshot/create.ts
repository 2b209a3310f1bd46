/**
 * `create`: pre-check the VM, create the snapshot, wait for its verdict. A Failed (or unfinished) snapshot is
 * either kept and reported as a partial failure (so it sits in state with an init error and the next
 * `pulumi up` replaces it) or deleted before failing, by the `onFailure` input.
 */
import { formatDuration, parseDuration } from "../../shared/duration";
import type { ProviderDeps } from "../core/deps";
import { PartialFailureError, ProviderError } from "../core/errors";
import type { ProviderInputs } from "./inputs";
import type { SnapshotCluster, SnapshotRef } from "../kube/cluster";
import type { VirtualMachine, VirtualMachineSnapshot } from "../kube/types";
import { consistencyOf, crashConsistentWarning } from "./consistency";
import { offlinePodsFollower, vmClaimNames, type OfflinePods } from "./offline-pods";
import { buildOutputs } from "./outputs";
import { observationFromIndications, type SourceObservation } from "./observation";
import { preflight } from "./preflight";
import { observe } from "../core/observe";
import { snapshotStream } from "../kube/streams";
import { decideSnapshot, type FinalVerdict } from "./verdict";
import { deleteAndWait } from "./delete";
import { adoptExisting } from "./adopt";
import { createOrAdopt } from "./create-or-adopt";
import { failureMessage } from "./failure-message";
import { settleHistory } from "./history";
import { buildSnapshotManifest } from "./manifest";
import type { CreateOutcome } from "../core/outcomes";
import { resourceId } from "../core/resource-id";
import { openSession, reporterFor, type Session } from "../core/session";

/** How the wait for the snapshot ended: a final verdict, or the bound passed ("timeout"), with the last object seen. */
export interface WaitResult {
  outcome: FinalVerdict | { kind: "timeout" };
  last: VirtualMachineSnapshot | undefined;
}

/** The local wait bound: `timeout` if given, else failureDeadline + grace. */
export function waitBoundMs(
  inputs: Pick<ProviderInputs, "timeout" | "failureDeadline">,
  graceMs: number,
): number {
  if (inputs.timeout !== undefined) return parseDuration(inputs.timeout) ?? 0;
  return (parseDuration(inputs.failureDeadline) ?? 0) + graceMs;
}

/** For a stopped VM with claims: the pods that mount them (KubeVirt will not lock the VM while any does). */
async function findOfflinePods(
  cluster: SnapshotCluster,
  vm: VirtualMachine,
): Promise<OfflinePods | undefined> {
  const claims = vmClaimNames(vm);
  if (!claims.length) return undefined;
  const namespace = vm.metadata.namespace ?? "";
  const pods = await cluster.listPodsUsingClaims(namespace, claims);
  return { namespace, vmName: vm.metadata.name ?? "", claims, pods };
}

async function inspectSource(
  deps: ProviderDeps,
  session: Session,
  inputs: ProviderInputs,
): Promise<{ observation: SourceObservation; offlinePods: OfflinePods | undefined }> {
  const vm = await session.cluster.getVirtualMachine(inputs.namespace, inputs.vmName);
  if (!vm) {
    throw new ProviderError(
      `[${inputs.resourceName}] VirtualMachine ${inputs.namespace}/${inputs.vmName} not found (404), so nothing was ` +
        `created. Fix: check namespace and vmName (kubectl get vm -n ${inputs.namespace}).`,
    );
  }
  const vmi = await session.cluster.getVirtualMachineInstance(inputs.namespace, inputs.vmName);
  const offlinePods = vmi ? undefined : await findOfflinePods(session.cluster, vm);
  const result = preflight(vm, vmi, {
    guestAgent: inputs.guestAgent,
    allowEmpty: inputs.allowEmpty,
    offlinePods,
  });
  const prefix = `[${inputs.resourceName}] `;
  for (const note of result.notes) deps.log.info(prefix + note);
  for (const warning of result.warnings) deps.log.warn(`${prefix}warning: ${warning}`);
  if (result.errors.length) throw new ProviderError(prefix + result.errors.join("\n"));
  return { observation: result.observation, offlinePods };
}

async function settleFailure(
  deps: ProviderDeps,
  session: Session,
  inputs: ProviderInputs & { __provider?: unknown },
  ref: SnapshotRef,
  result: WaitResult & { outcome: { kind: "failed" | "timeout" } },
  observation: SourceObservation,
  held: { offlinePods?: OfflinePods; waitingReason: string } = { waitingReason: "" },
): Promise<never> {
  const facts = {
    ...inputs,
    ...held,
    boundText: formatDuration(waitBoundMs(inputs, deps.graceMs)),
    outcome: result.outcome,
    last: result.last,
  };
  if (result.outcome.kind === "failed" && result.outcome.reason === "snapshot deleted") {
    throw new ProviderError(failureMessage({ ...facts, onFailure: "delete" }));
  }
  if (inputs.onFailure === "delete" || !result.last) {
    await deleteAndWait(deps, session, inputs, ref);
    throw new ProviderError(failureMessage({ ...facts, onFailure: "delete" }));
  }
  const outs = buildOutputs(inputs, result.last, session.version, observation);
  // The engine shows the init-error reasons (not the message) to the user and stores them in state.
  const message = failureMessage(facts);
  throw new PartialFailureError(message, resourceId(ref.namespace, ref.name), outs, [message]);
}

/**
 * The snapshot was created but could not be watched (e.g. no `watch` permission, the API unreachable): keep
 * it in state as a partial failure rather than orphan it, whatever onFailure says (deleting would need the
 * same access that just failed).
 */
function strandedSnapshot(
  session: Session,
  inputs: ProviderInputs & { __provider?: unknown },
  ref: SnapshotRef,
  created: VirtualMachineSnapshot,
  observation: SourceObservation,
  error: unknown,
): never {
  const why = error instanceof Error ? error.message : String(error);
  const message =
    `[${inputs.resourceName}] created VirtualMachineSnapshot ${ref.namespace}/${ref.name} but could not follow it: ${why}\n` +
    "It is recorded in the stack's state so nothing is orphaned; fix the cause, then run `pulumi refresh` " +
    "(or `pulumi up`, which replaces it unless it became ready).";
  const outs = buildOutputs(inputs, created, session.version, observation);
  throw new PartialFailureError(message, resourceId(ref.namespace, ref.name), outs, [message]);
}

/** Pre-checks the VM and creates the snapshot (or picks up this resource's leftover from a crashed run). */
async function createNew(
  deps: ProviderDeps,
  session: Session,
  inputs: ProviderInputs,
): Promise<{
  snapshot: VirtualMachineSnapshot;
  observation: SourceObservation;
  offlinePods: OfflinePods | undefined;
}> {
  const { observation, offlinePods } = await inspectSource(deps, session, inputs);
  const manifest = buildSnapshotManifest(inputs, session.version, deps.now());
  const { snapshot } = await createOrAdopt(session.cluster, session.version, manifest, inputs, deps.log);
  return { snapshot, observation, offlinePods };
}

/** Warns when a finished snapshot holds no frozen file systems, naming KubeVirt's indication. */
function warnIfCrashConsistent(
  deps: ProviderDeps,
  resourceName: string,
  ref: SnapshotRef,
  snapshot: VirtualMachineSnapshot,
  observation: SourceObservation,
): void {
  const verdict = consistencyOf(
    snapshot.status?.indications ?? [],
    observation,
    Boolean(snapshot.status?.creationTime),
  );
  if (verdict.consistency === "crash-consistent")
    deps.log.warn(
      `[${resourceName}] warning: ${crashConsistentWarning(`${ref.namespace}/${ref.name}`, verdict.why)}`,
    );
}

/** Runs `create` for validated inputs (including `__provider`, which partial-failure state must carry). */
export async function createSnapshot(
  deps: ProviderDeps,
  inputs: ProviderInputs & { __provider?: unknown },
): Promise<CreateOutcome> {
  const session = await openSession(deps, inputs.context);
  const {
    snapshot: created,
    observation,
    offlinePods,
  }: {
    snapshot: VirtualMachineSnapshot;
    observation: SourceObservation;
    offlinePods?: OfflinePods;
  } = inputs.adopt ? await adoptExisting(deps, session, inputs) : await createNew(deps, session, inputs);
  const ref = { version: session.version, namespace: inputs.namespace, name: inputs.name };
  // Progress lines name the pods behind KubeVirt's "pods using PVCs" count; the failure message needs the
  // last waiting reason, since a snapshot Failed at its deadline reads "Operation failed".
  const follower = offlinePodsFollower(offlinePods);
  const observed = await observe({
    ...deps,
    stream: snapshotStream(session.cluster, ref),
    decide: decideSnapshot(inputs.waitFor),
    boundMs: waitBoundMs(inputs, deps.graceMs),
    progress: reporterFor(deps, inputs.resourceName, ref, undefined, follower.summarize),
  }).catch((error: unknown) => strandedSnapshot(session, inputs, ref, created, observation, error));
  const result: WaitResult = { outcome: observed.value ?? { kind: "timeout" }, last: observed.last };
  if (result.outcome.kind !== "done" || !result.last) {
    return settleFailure(
      deps,
      session,
      inputs,
      ref,
      { ...result, outcome: result.outcome.kind === "done" ? { kind: "timeout" } : result.outcome },
      observation,
      { offlinePods, waitingReason: follower.lastWaitingReason() },
    );
  }
  const keptHistory = await settleHistory(deps, session, inputs, inputs.name, {
    keep: inputs.history,
    takeOver: true,
  });
  const { __provider: _provider, ...plainInputs } = inputs;
  // An adopted snapshot was taken without us: its final indications say whether the VM ran and was frozen.
  const seen = inputs.adopt ? observationFromIndications(result.last) : observation;
  warnIfCrashConsistent(deps, inputs.resourceName, ref, result.last, seen);
  return {
    id: resourceId(ref.namespace, ref.name),
    outs: buildOutputs(plainInputs, result.last, session.version, seen, keptHistory),
  };
}
