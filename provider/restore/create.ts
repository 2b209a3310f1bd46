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
import type { OperationContext } from "../core/operation";
import type { CreateOutcome } from "../core/outcomes";
import { resourceId } from "../core/resource-id";
import type { RestoreInputs } from "./inputs";
import { leftoverMismatch, type WantedRestore } from "./leftover";
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
import { waitForRestore, type RestoreWaitResult } from "./wait";

/** The restore's I/O: the provider deps over a cluster that can restore. */
export type RestoreDeps = ProviderDeps<RestoreCluster>;

/** One operation of a `VMRestore`: its context over a cluster that can restore. */
export type RestoreContext = OperationContext<RestoreCluster>;

/** Checks the snapshot and the target; returns the target VM's name. */
async function preflight(ctx: RestoreContext, inputs: RestoreInputs): Promise<string> {
  const snapshot = await ctx.cluster.getSnapshot(ctx.refTo(inputs.snapshotName));
  const problem = snapshotProblem(snapshot, inputs);
  if (problem || !snapshot) throw ctx.fail(problem ?? "snapshot missing");
  await refuseMissingPolicy(ctx, inputs);
  const targetVm = inputs.targetVmName ?? snapshot.spec.source.name;
  const vm = await ctx.cluster.getVirtualMachine(inputs.namespace, targetVm);
  const vmi = vm ? await ctx.cluster.getVirtualMachineInstance(inputs.namespace, targetVm) : undefined;
  for (const note of targetNotes(vm, vmi, inputs, targetVm)) ctx.say(note);
  return targetVm;
}

/**
 * Refuses, before anything is created, a `volumeRestorePolicy` the cluster's KubeVirt does not have (read from
 * the KubeVirt CR; KubeVirt's default needs no check, and an unreadable version leaves it to KubeVirt's webhook).
 */
async function refuseMissingPolicy(ctx: RestoreContext, inputs: RestoreInputs): Promise<void> {
  const policy = inputs.volumeRestorePolicy;
  if (policy === DEFAULT_VOLUME_RESTORE_POLICY) return;
  const kubevirtVersion = await ctx.cluster.kubeVirtVersion();
  if (missingPolicy(policy, kubevirtVersion))
    throw new ProviderError(policyRefusal({ resourceName: ctx.resourceName, policy, kubevirtVersion }));
}

/**
 * This resource's own leftover from an interrupted run is picked up when it restores what is asked for now;
 * anything else of that name is a clash.
 */
function pickUp(
  ctx: RestoreContext,
  inputs: RestoreInputs,
  wanted: WantedRestore,
  existing: VirtualMachineRestore | undefined,
): VirtualMachineRestore {
  const owner = existing?.metadata.annotations?.[OWNER_ANNOTATION];
  if (!existing || owner !== inputs.owner) {
    throw ctx.fail(
      `a VirtualMachineRestore named "${inputs.name}" already exists in ${inputs.namespace}` +
        ` and ${owner ? `belongs to "${owner}"` : "was not made by pulumi-kubevirt-snapshot"}; nothing was changed. ` +
        "Fix: choose another name (or leave name unset), or delete the existing restore.",
    );
  }
  const mismatch = leftoverMismatch(existing, wanted);
  if (mismatch) throw ctx.fail(mismatch);
  ctx.say(`picking up ${inputs.namespace}/${inputs.name}, left by an earlier run.`);
  return existing;
}

/** How often a create refused over restores that are already gone (KubeVirt's webhook lagging) is tried. */
const CREATE_ATTEMPTS = 5;
/** The pause before such a retry. */
const CREATE_RETRY_MS = 1_000;

/** One refused create: which restore, KubeVirt's error, and whether another attempt is allowed. */
interface Refused {
  restore: RefusedRestore;
  error: unknown;
  mayRetry: boolean;
}

/**
 * What to do after KubeVirt's webhook refused the create: pick up this resource's own leftover (the webhook
 * counts it as "in progress" before the apiserver could answer 409), create again when every blocker is
 * already gone, or throw a message naming the blockers or the feature gate.
 */
async function afterRefusal(
  ctx: RestoreContext,
  inputs: RestoreInputs,
  refused: Refused,
): Promise<{ kind: "picked"; restore: VirtualMachineRestore } | { kind: "retry" }> {
  const { error } = refused;
  const serverMessage = isProviderError(error) ? ((error as Partial<KubeApiError>).serverMessage ?? "") : "";
  const refusal = classifyCreateRefusal(serverMessage);
  if (refusal.kind === "gate") throw new ProviderError(restoreGateMessage(refused.restore));
  if (isPolicyRefusal(serverMessage)) {
    const kubevirtVersion = await ctx.cluster.kubeVirtVersion();
    const policy = inputs.volumeRestorePolicy;
    throw new ProviderError(
      policyRefusal({ resourceName: ctx.resourceName, policy, kubevirtVersion, serverMessage }),
    );
  }
  if (refusal.kind === "other") throw error;
  const blockers: Blocker[] = [];
  for (const name of refusal.names) {
    const blocker = await ctx.cluster.getRestore(ctx.refTo(name));
    if (blocker && name === inputs.name)
      return { kind: "picked", restore: pickUp(ctx, inputs, refused.restore, blocker) };
    blockers.push(toBlocker(name, blocker));
  }
  if (refused.mayRetry && blockersCleared(blockers.map((b) => b.state))) return { kind: "retry" };
  throw new ProviderError(restoreBlockedMessage(refused.restore, blockers));
}

/** Creates the restore, or picks up this resource's own leftover from an interrupted run. */
async function createOrPickUp(
  ctx: RestoreContext,
  inputs: RestoreInputs,
  manifest: VirtualMachineRestore,
): Promise<VirtualMachineRestore> {
  const restore = { ...inputs, targetVm: manifest.spec.target.name };
  for (let attempt = 1; ; attempt++) {
    try {
      return await ctx.cluster.createRestore(ctx.version, manifest);
    } catch (error) {
      if (hasStatus(error, 409)) return pickUp(ctx, inputs, restore, await ctx.cluster.getRestore(ctx.ref));
      const next = await afterRefusal(ctx, inputs, { restore, error, mayRetry: attempt < CREATE_ATTEMPTS });
      if (next.kind === "picked") return next.restore;
      ctx.say(
        `KubeVirt still counted a finished restore of VM ${restore.targetVm}; ` +
          `creating ${inputs.namespace}/${inputs.name} again in ${CREATE_RETRY_MS / 1000}s.`,
      );
      await ctx.deps.delay(CREATE_RETRY_MS, new AbortController().signal);
    }
  }
}

/** Watches the restore until complete or failed, or until `boundMs` passes; keeps it in state if it cannot. */
async function followRestore(
  ctx: RestoreContext,
  inputs: RestoreInputs & { __provider?: unknown },
  created: VirtualMachineRestore,
  boundMs: number,
): Promise<RestoreWaitResult> {
  const progress = ctx.reporter(ctx.ref, { summarize: summarizeRestore });
  const nudge = { initial: created, now: ctx.deps.now, log: ctx.deps.log, prefix: ctx.prefix };
  const wait = { ...ctx.deps, cluster: ctx.cluster, ref: ctx.ref, boundMs, progress };
  return waitForRestore(wait, nudge).catch((error: unknown) => {
    const id = resourceId(ctx.ref.namespace, ctx.ref.name);
    const why = error instanceof Error ? error.message : String(error);
    const message =
      `${ctx.prefix}created VirtualMachineRestore ${id} but could not follow it: ${why}\n` +
      "It is recorded in the stack's state so nothing is orphaned; fix the cause, then run `pulumi refresh`.";
    throw new PartialFailureError(message, id, buildRestoreOutputs(inputs, created, ctx.version), [message]);
  });
}

/** Runs `create` for validated restore inputs (including `__provider` for partial-failure state). */
export async function createRestore(
  ctx: RestoreContext,
  inputs: RestoreInputs & { __provider?: unknown },
): Promise<CreateOutcome> {
  const targetVm = await preflight(ctx, inputs);
  const manifest = buildRestoreManifest(inputs, ctx.version, targetVm);
  const created = await createOrPickUp(ctx, inputs, manifest);
  const boundMs = parseDuration(inputs.timeout) ?? 600_000;
  const id = resourceId(ctx.ref.namespace, ctx.ref.name);
  const { __provider: _provider, ...plain } = inputs;
  const result = await followRestore(ctx, inputs, created, boundMs);
  const last = result.last ?? created;
  if (result.outcome.kind === "done") return { id, outs: buildRestoreOutputs(plain, last, ctx.version) };
  const message = restoreFailureMessage({
    ...inputs,
    targetVm,
    boundText: formatDuration(boundMs),
    outcome: result.outcome,
    last: result.last,
  });
  throw new PartialFailureError(message, id, buildRestoreOutputs(inputs, last, ctx.version), [message]);
}
