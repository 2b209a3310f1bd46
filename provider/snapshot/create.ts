/**
 * `create`: pre-check the VM, create the snapshot, wait for its verdict. A Failed (or unfinished) snapshot is
 * either kept and reported as a partial failure (so it sits in state with an init error and the next
 * `pulumi up` replaces it) or deleted before failing, by the `onFailure` input.
 */
import { formatDuration, parseDuration } from "../../shared/duration";
import { PartialFailureError, ProviderError } from "../core/errors";
import { observe } from "../core/observe";
import type { OperationContext } from "../core/operation";
import type { CreateOutcome } from "../core/outcomes";
import { resourceId } from "../core/resource-id";
import { snapshotStream } from "../kube/streams";
import type { VirtualMachine, VirtualMachineSnapshot } from "../kube/types";
import { adoptExisting } from "./adopt";
import { consistencyOf, crashConsistentWarning } from "./consistency";
import { createOrAdopt } from "./create-or-adopt";
import { deleteAndWait } from "./delete";
import { failureMessage } from "./failure-message";
import { settleHistory } from "./history";
import type { ProviderInputs } from "./inputs";
import { commitSnapshot, settleLeftovers } from "./leftovers";
import { buildSnapshotManifest } from "./manifest";
import { missingVmOutcome } from "./missing-vm";
import { observationFromIndications, type SourceObservation } from "./observation";
import { offlinePodsFollower, vmClaimNames, type OfflinePods } from "./offline-pods";
import { buildOutputs, buildSkippedOutputs } from "./outputs";
import { preflight } from "./preflight";
import { decideSnapshot, type FinalVerdict } from "./verdict";

/** Validated inputs with `__provider`, which partial-failure state must carry, and this create's claim. */
type CreateInputs = ProviderInputs & { __provider?: unknown; claim?: string };

/** The snapshot as created (or adopted), and what was seen of its VM before. */
interface Started {
  snapshot: VirtualMachineSnapshot;
  observation: SourceObservation;
  offlinePods?: OfflinePods | undefined;
  /** Taken over from an interrupted run (or `adopt`): its own indications tell how it was taken. */
  takenOver?: boolean;
  /** Created by this create just now: `snapshot` is the API server's answer to it, which the wait starts from. */
  justCreated?: boolean;
}

/** A create under way: the context and inputs of the snapshot it settled on (a leftover may rename it). */
interface Underway {
  ctx: OperationContext;
  inputs: CreateInputs;
  started: Started;
  /** The resource's other snapshots, listed before the create (the history step reuses the listing). */
  others?: VirtualMachineSnapshot[];
}

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
async function findOfflinePods(ctx: OperationContext, vm: VirtualMachine): Promise<OfflinePods | undefined> {
  const claims = vmClaimNames(vm);
  if (!claims.length) return undefined;
  const namespace = vm.metadata.namespace ?? "";
  const pods = await ctx.cluster.listPodsUsingClaims(namespace, claims);
  return { namespace, vmName: vm.metadata.name ?? "", claims, pods };
}

/**
 * Reads the VM and its instance, prints the pre-checks' notes and warnings, refuses on their errors.
 * @returns what was seen, or `undefined` for a missing VM that `whenVmMissing: "skip"` lets pass.
 */
async function inspectSource(
  ctx: OperationContext,
  inputs: ProviderInputs,
): Promise<Omit<Started, "snapshot"> | undefined> {
  const vm = await ctx.cluster.getVirtualMachine(inputs.namespace, inputs.vmName);
  if (!vm) {
    const missing = missingVmOutcome(inputs);
    if (missing.kind === "fail") throw ctx.fail(missing.message);
    ctx.say(missing.note);
    return undefined;
  }
  const vmi = await ctx.cluster.getVirtualMachineInstance(inputs.namespace, inputs.vmName);
  const offlinePods = vmi ? undefined : await findOfflinePods(ctx, vm);
  const result = preflight(vm, vmi, {
    guestAgent: inputs.guestAgent,
    allowEmpty: inputs.allowEmpty,
    offlinePods,
  });
  for (const note of result.notes) ctx.say(note);
  for (const warning of result.warnings) ctx.warn(`warning: ${warning}`);
  if (result.errors.length) throw ctx.fail(result.errors.join("\n"));
  return { observation: result.observation, offlinePods };
}

/**
 * Pre-checks the VM, settles this resource's leftovers of interrupted runs, and creates the snapshot, or takes
 * over the one an interrupted run was taking (auto-named resources only: a fixed name is the user's choice).
 * @returns `undefined` when the VM is missing and the resource is skipped (nothing else was touched).
 */
async function createNew(ctx: OperationContext, inputs: CreateInputs): Promise<Underway | undefined> {
  const seen = await inspectSource(ctx, inputs);
  if (!seen) return undefined;
  const { adopted, others } = await settleLeftovers(ctx, inputs, { mayAdopt: inputs.autoNamed });
  if (adopted) {
    const name = adopted.metadata.name ?? "";
    const started = { snapshot: adopted, ...seen, takenOver: true };
    return { ctx: { ...ctx, ref: ctx.refTo(name) }, inputs: { ...inputs, name }, started, others };
  }
  const marks = { createdAtMs: ctx.deps.now(), claim: inputs.claim ?? "" };
  const manifest = buildSnapshotManifest(inputs, ctx.version, marks);
  const { snapshot, adopted: existed } = await createOrAdopt(ctx, manifest, inputs);
  // A fixed name may have been there already (createOrAdopt adopted it): never count it among the others.
  const rest = others.filter((s) => s.metadata.name !== ctx.ref.name);
  return { ctx, inputs, started: { snapshot, ...seen, justCreated: !existed }, others: rest };
}

/** Takes over the snapshot named by `name` (`adopt: true`). */
async function adoptNamed(ctx: OperationContext, inputs: CreateInputs): Promise<Underway> {
  return { ctx, inputs, started: { ...(await adoptExisting(ctx, inputs)), takenOver: true } };
}

/**
 * Watches the snapshot until KubeVirt's verdict or the local bound, printing progress. `created`: the API
 * server's answer to this create, so the wait need not read the snapshot again (kube/shared-streams.ts).
 */
async function waitForVerdict(
  ctx: OperationContext,
  inputs: ProviderInputs,
  follower: ReturnType<typeof offlinePodsFollower>,
  created: VirtualMachineSnapshot | undefined,
): Promise<WaitResult> {
  const observed = await observe({
    ...ctx.deps,
    stream: snapshotStream(ctx.cluster, ctx.ref, created),
    decide: decideSnapshot(inputs.waitFor),
    boundMs: waitBoundMs(inputs, ctx.deps.graceMs),
    progress: ctx.reporter(ctx.ref, { summarize: follower.summarize }),
  });
  return { outcome: observed.value ?? { kind: "timeout" }, last: observed.last };
}

/** Fails the create: keeps the snapshot as a partial failure, or deletes it first (`onFailure: "delete"`). */
async function settleFailure(
  ctx: OperationContext,
  inputs: CreateInputs,
  result: WaitResult,
  held: Started & { waitingReason: string },
): Promise<never> {
  const outcome = result.outcome.kind === "done" ? { kind: "timeout" as const } : result.outcome;
  const facts = {
    ...inputs,
    offlinePods: held.offlinePods,
    waitingReason: held.waitingReason,
    boundText: formatDuration(waitBoundMs(inputs, ctx.deps.graceMs)),
    outcome,
    last: result.last,
  };
  if (outcome.kind === "failed" && outcome.reason === "snapshot deleted") {
    throw new ProviderError(failureMessage({ ...facts, onFailure: "delete" }));
  }
  if (inputs.onFailure === "delete" || !result.last) {
    await deleteAndWait(ctx, ctx.ref, inputs.deleteTimeout);
    throw new ProviderError(failureMessage({ ...facts, onFailure: "delete" }));
  }
  const outs = buildOutputs(inputs, result.last, { apiVersion: ctx.version, observation: held.observation });
  await commitSnapshot(ctx, ctx.ref, inputs.claim ?? "");
  // The engine shows the init-error reasons (not the message) to the user and stores them in state.
  const message = failureMessage(facts);
  throw new PartialFailureError(message, resourceId(ctx.ref.namespace, ctx.ref.name), outs, [message]);
}

/**
 * The snapshot was created but could not be watched (e.g. no `watch` permission, the API unreachable): keep
 * it in state as a partial failure rather than orphan it, whatever onFailure says (deleting would need the
 * same access that just failed).
 */
async function strandedSnapshot(
  ctx: OperationContext,
  inputs: CreateInputs,
  created: Started,
  error: unknown,
): Promise<never> {
  const why = error instanceof Error ? error.message : String(error);
  const { namespace, name } = ctx.ref;
  const message =
    `${ctx.prefix}created VirtualMachineSnapshot ${namespace}/${name} but could not follow it: ${why}\n` +
    "It is recorded in the stack's state so nothing is orphaned; fix the cause, then run `pulumi refresh` " +
    "(or `pulumi up`, which replaces it unless it became ready).";
  const outs = buildOutputs(inputs, created.snapshot, {
    apiVersion: ctx.version,
    observation: created.observation,
  });
  await commitSnapshot(ctx, ctx.ref, inputs.claim ?? "");
  throw new PartialFailureError(message, resourceId(namespace, name), outs, [message]);
}

/** Warns when a finished snapshot holds no frozen file systems, naming KubeVirt's indication. */
function warnIfCrashConsistent(
  ctx: OperationContext,
  snapshot: VirtualMachineSnapshot,
  observation: SourceObservation,
): void {
  const verdict = consistencyOf(
    snapshot.status?.indications ?? [],
    observation,
    Boolean(snapshot.status?.creationTime),
  );
  if (verdict.consistency === "crash-consistent")
    ctx.warn(`warning: ${crashConsistentWarning(`${ctx.ref.namespace}/${ctx.ref.name}`, verdict.why)}`);
}

/** The outcome of a create that took no snapshot (its VM is missing): the id it would have had, empty status. */
function skippedCreate(ctx: OperationContext, inputs: CreateInputs): CreateOutcome {
  const { __provider: _provider, claim: _claim, ...plainInputs } = inputs;
  return {
    id: resourceId(ctx.ref.namespace, ctx.ref.name),
    outs: buildSkippedOutputs(plainInputs, ctx.version),
  };
}

/** A claim token unique to this create (the clock and a random suffix). */
function newClaim(ctx: OperationContext): string {
  return `${ctx.deps.now().toString(36)}-${ctx.deps.suffix()}`;
}

/**
 * Runs `create` for validated inputs; `ctx.ref` is the snapshot to make. The snapshot stays marked pending
 * until the last step, so an interruption anywhere before leaves a leftover the next run settles.
 */
export async function createSnapshot(ctx0: OperationContext, inputs0: CreateInputs): Promise<CreateOutcome> {
  const claimed = { ...inputs0, claim: newClaim(ctx0) };
  const underway = claimed.adopt ? await adoptNamed(ctx0, claimed) : await createNew(ctx0, claimed);
  if (!underway) return skippedCreate(ctx0, inputs0);
  const { ctx, inputs, started } = underway;
  // Progress lines name the pods behind KubeVirt's "pods using PVCs" count; the failure message needs the
  // last waiting reason, since a snapshot Failed at its deadline reads "Operation failed".
  const follower = offlinePodsFollower(started.offlinePods);
  const created = started.justCreated ? started.snapshot : undefined;
  const result = await waitForVerdict(ctx, inputs, follower, created).catch((error: unknown) =>
    strandedSnapshot(ctx, inputs, started, error),
  );
  if (result.outcome.kind !== "done" || !result.last) {
    return settleFailure(ctx, inputs, result, { ...started, waitingReason: follower.lastWaitingReason() });
  }
  const keptHistory = await settleHistory(ctx, inputs, {
    keep: inputs.history,
    takeOver: true,
    ...(underway.others ? { listed: underway.others } : {}),
  });
  await commitSnapshot(ctx, ctx.ref, inputs.claim ?? "");
  const { __provider: _provider, ...plainInputs } = inputs;
  // A snapshot taken without this create: its final indications say whether the VM ran and was frozen.
  const seen = started.takenOver ? observationFromIndications(result.last) : started.observation;
  warnIfCrashConsistent(ctx, result.last, seen);
  return {
    id: resourceId(ctx.ref.namespace, ctx.ref.name),
    outs: buildOutputs(plainInputs, result.last, { apiVersion: ctx.version, observation: seen, keptHistory }),
  };
}
