/**
 * `create` for `VMRestore`: check the snapshot is ready, create the `VirtualMachineRestore`, wait until it
 * completes. A failed or unfinished restore is kept as a partial failure (in state with an init error, so
 * nothing is orphaned and the next `pulumi up` runs it again).
 */
import { formatDuration, parseDuration } from "../../shared/duration";
import { OWNER_ANNOTATION } from "../core/constants";
import type { ProviderDeps } from "../core/deps";
import {
  hasStatus,
  isProviderError,
  type KubeApiError,
  PartialFailureError,
  ProviderError,
} from "../core/errors";
import type { RestoreCluster } from "../kube/cluster";
import type { VirtualMachineRestore } from "../kube/types";
import { openSession, reporterFor, type Session } from "../core/session";
import type { CreateOutcome } from "../core/outcomes";
import { resourceId } from "../core/resource-id";
import type { RestoreInputs } from "./inputs";
import { buildRestoreManifest } from "./manifest";
import {
  DEFAULT_VOLUME_RESTORE_POLICY,
  isPolicyRefusal,
  missingPolicy,
  policyRefusal,
} from "./policy-support";
import { buildRestoreOutputs } from "./outputs";
import { snapshotProblem, targetNotes } from "./preflight";
import { restoreFailureMessage } from "./failure-message";
import {
  blockersCleared,
  classifyCreateRefusal,
  restoreBlockedMessage,
  restoreGateMessage,
  toBlocker,
  type Blocker,
  type RefusedRestore,
} from "./refusal";
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
  await refuseMissingPolicy(session, inputs);
  const targetVm = inputs.targetVmName ?? snapshot.spec.source.name;
  const vm = await session.cluster.getVirtualMachine(inputs.namespace, targetVm);
  const vmi = vm ? await session.cluster.getVirtualMachineInstance(inputs.namespace, targetVm) : undefined;
  for (const note of targetNotes(vm, vmi, inputs, targetVm)) deps.log.info(prefix + note);
  return targetVm;
}

/**
 * Refuses, before anything is created, a `volumeRestorePolicy` the cluster's KubeVirt does not have (read from
 * the KubeVirt CR; KubeVirt's default needs no check, and an unreadable version leaves it to KubeVirt's webhook).
 */
async function refuseMissingPolicy(session: Session<RestoreCluster>, inputs: RestoreInputs): Promise<void> {
  const policy = inputs.volumeRestorePolicy;
  if (policy === DEFAULT_VOLUME_RESTORE_POLICY) return;
  const kubevirtVersion = await session.cluster.kubeVirtVersion();
  if (missingPolicy(policy, kubevirtVersion))
    throw new ProviderError(policyRefusal({ resourceName: inputs.resourceName, policy, kubevirtVersion }));
}

/** This resource's own leftover from an interrupted run is picked up; anything else of that name is a clash. */
function pickUp(
  deps: RestoreDeps,
  inputs: RestoreInputs,
  existing: VirtualMachineRestore | undefined,
): VirtualMachineRestore {
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

/** How often a create refused over restores that are already gone (KubeVirt's webhook lagging) is tried. */
const CREATE_ATTEMPTS = 5;
/** The pause before such a retry. */
const CREATE_RETRY_MS = 1_000;

/**
 * What to do after KubeVirt's webhook refused the create: pick up this resource's own leftover (the webhook
 * counts it as "in progress" before the apiserver could answer 409), create again when every blocker is
 * already gone, or throw a message naming the blockers or the feature gate.
 */
async function afterRefusal(
  deps: RestoreDeps,
  session: Session<RestoreCluster>,
  inputs: RestoreInputs,
  refusedRestore: RefusedRestore,
  error: unknown,
  mayRetry: boolean,
): Promise<{ kind: "picked"; restore: VirtualMachineRestore } | { kind: "retry" }> {
  const serverMessage = isProviderError(error) ? ((error as Partial<KubeApiError>).serverMessage ?? "") : "";
  const refusal = classifyCreateRefusal(serverMessage);
  if (refusal.kind === "gate") throw new ProviderError(restoreGateMessage(refusedRestore));
  if (isPolicyRefusal(serverMessage)) {
    const kubevirtVersion = await session.cluster.kubeVirtVersion();
    const policy = inputs.volumeRestorePolicy;
    throw new ProviderError(
      policyRefusal({ resourceName: inputs.resourceName, policy, kubevirtVersion, serverMessage }),
    );
  }
  if (refusal.kind === "other") throw error;
  const get = (name: string) =>
    session.cluster.getRestore({ version: session.version, namespace: inputs.namespace, name });
  const blockers: Blocker[] = [];
  for (const name of refusal.names) {
    const blocker = await get(name);
    if (blocker && name === inputs.name) return { kind: "picked", restore: pickUp(deps, inputs, blocker) };
    blockers.push(toBlocker(name, blocker));
  }
  if (mayRetry && blockersCleared(blockers.map((b) => b.state))) return { kind: "retry" };
  throw new ProviderError(restoreBlockedMessage(refusedRestore, blockers));
}

/** Creates the restore, or picks up this resource's own leftover from an interrupted run. */
async function createOrPickUp(
  deps: RestoreDeps,
  session: Session<RestoreCluster>,
  inputs: RestoreInputs,
  manifest: VirtualMachineRestore,
): Promise<VirtualMachineRestore> {
  const refusedRestore = { ...inputs, targetVm: manifest.spec.target.name };
  for (let attempt = 1; ; attempt++) {
    try {
      return await session.cluster.createRestore(session.version, manifest);
    } catch (error) {
      if (hasStatus(error, 409)) {
        const ref = { version: session.version, namespace: inputs.namespace, name: inputs.name };
        return pickUp(deps, inputs, await session.cluster.getRestore(ref));
      }
      const mayRetry = attempt < CREATE_ATTEMPTS;
      const next = await afterRefusal(deps, session, inputs, refusedRestore, error, mayRetry);
      if (next.kind === "picked") return next.restore;
      deps.log.info(
        `[${inputs.resourceName}] KubeVirt still counted a finished restore of VM ${refusedRestore.targetVm}; ` +
          `creating ${inputs.namespace}/${inputs.name} again in ${CREATE_RETRY_MS / 1000}s.`,
      );
      await deps.delay(CREATE_RETRY_MS, new AbortController().signal);
    }
  }
}

/** Runs `create` for validated restore inputs (including `__provider` for partial-failure state). */
export async function createRestore(
  deps: RestoreDeps,
  inputs: RestoreInputs & { __provider?: unknown },
): Promise<CreateOutcome> {
  const session = await openSession(deps, inputs.context);
  const targetVm = await preflight(deps, session, inputs);
  const manifest = buildRestoreManifest(inputs, session.version, targetVm);
  const created = await createOrPickUp(deps, session, inputs, manifest);
  const ref = { version: session.version, namespace: inputs.namespace, name: inputs.name };
  const boundMs = parseDuration(inputs.timeout) ?? 600_000;
  const id = resourceId(ref.namespace, ref.name);
  const { __provider: _provider, ...plain } = inputs;
  const result = await waitForRestore(
    {
      ...deps,
      cluster: session.cluster,
      ref,
      boundMs,
      progress: reporterFor(deps, inputs.resourceName, ref, undefined, summarizeRestore),
    },
    { initial: created, now: deps.now, log: deps.log, prefix: `[${inputs.resourceName}] ` },
  ).catch((error: unknown) => {
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
    boundText: formatDuration(boundMs),
    outcome: result.outcome,
    last: result.last,
  });
  throw new PartialFailureError(message, id, buildRestoreOutputs(inputs, last, session.version), [message]);
}
