/**
 * Waiting on a restore (list + watch by name) within a local bound, reporting progress; while a
 * `WaitGracePeriod` restore waits past KubeVirt's grace, touching it so KubeVirt writes its Failure.
 */
import { hasStatus } from "../core/errors";
import type { RestoreCluster, RestoreRef } from "../kube/cluster";
import type { VirtualMachineRestore } from "../kube/types";
import type { Logger } from "../core/progress";
import { observe, type ObservationProgress } from "../core/observe";
import { restoreStream } from "../kube/streams";
import { GRACE_CHECK_ANNOTATION, GRACE_NUDGE_EVERY_MS, graceNudge, graceNudgePatch } from "./grace";
import { decideRestore, type FinalRestoreVerdict } from "./verdict";

/** How a restore wait ended, with the last object seen. */
export interface RestoreWaitResult {
  outcome: FinalRestoreVerdict | { kind: "timeout" };
  last: VirtualMachineRestore | undefined;
}

/** What a restore wait needs. */
export interface RestoreWaitOptions {
  cluster: RestoreCluster;
  ref: RestoreRef;
  boundMs: number;
  progress: ObservationProgress<VirtualMachineRestore>;
  timer(ms: number): AbortSignal;
  delay(ms: number, signal: AbortSignal): Promise<void>;
}

/** What the grace nudge needs besides the wait's own I/O (see `./grace`). */
export interface GraceNudgeOptions {
  /** The restore as created (or picked up): what the nudge decides on until the watch reports. */
  initial: VirtualMachineRestore;
  /** Current time in ms. */
  now(): number;
  /** Where a failed touch is reported (once); the wait goes on without it. */
  log: Logger;
  /** Starts every warning, e.g. `[rollback] `. */
  prefix: string;
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Touches the restore whenever {@link graceNudge} says so, until it says never or `signal` aborts (the wait
 * ended). Touch failures never end the wait: they are reported once, and a 403 stops the touching.
 */
async function nudgeWhileWaiting(
  options: RestoreWaitOptions & GraceNudgeOptions,
  latest: () => VirtualMachineRestore | undefined,
  signal: AbortSignal,
): Promise<void> {
  let lastNudgeMs: number | undefined;
  let warned = false;
  const ended = (): boolean => signal.aborted;
  while (!ended()) {
    const step = graceNudge(latest(), options.now(), lastNudgeMs);
    if (step.kind === "never") return;
    if (step.kind === "later") {
      await options.delay(step.inMs, signal);
      continue;
    }
    const first = lastNudgeMs === undefined;
    lastNudgeMs = options.now();
    try {
      await options.cluster.patchRestoreMetadata(options.ref, graceNudgePatch(lastNudgeMs));
      if (first) {
        options.log.info(
          `${options.prefix}${options.ref.namespace}/${options.ref.name}: KubeVirt's 5m grace period for the target ` +
            `has passed; touching the restore (annotation ${GRACE_CHECK_ANNOTATION}) every ` +
            `${GRACE_NUDGE_EVERY_MS / 1000}s so KubeVirt re-checks it, as it does not on its own.`,
        );
      }
    } catch (error) {
      if (ended()) return;
      if (!warned) {
        warned = true;
        options.log.warn(
          `${options.prefix}could not touch VirtualMachineRestore ${options.ref.namespace}/${options.ref.name} to make ` +
            `KubeVirt re-check its 5m grace period: ${describeError(error)}. KubeVirt checks the grace only when it ` +
            "reconciles the restore, so this wait may run to its timeout.",
        );
      }
      if (hasStatus(error, 403)) return;
    }
  }
}

/**
 * Watches the restore until complete or failed, or until `boundMs` passes. With `nudge`, a restore still
 * waiting for its target past KubeVirt's grace period is touched (annotation
 * `pulumi-kubevirt-snapshot.io/grace-check`) every few seconds so KubeVirt reconciles it and writes its Failure.
 */
export async function waitForRestore(
  options: RestoreWaitOptions,
  nudge?: GraceNudgeOptions,
): Promise<RestoreWaitResult> {
  const stream = restoreStream(options.cluster, options.ref);
  let latest = nudge?.initial;
  const waitEnded = new AbortController();
  if (nudge) {
    // Runs beside the watch and ends with it; a touch still in flight then finishes on its own.
    void nudgeWhileWaiting({ ...options, ...nudge }, () => latest, waitEnded.signal).catch(
      (error: unknown) => {
        if (!waitEnded.signal.aborted)
          nudge.log.warn(`${nudge.prefix}grace check stopped: ${describeError(error)}`);
      },
    );
  }
  try {
    const { value, last } = await observe({
      ...options,
      stream,
      decide: (restore) => {
        latest = restore;
        return decideRestore(restore);
      },
    });
    return { outcome: value ?? { kind: "timeout" }, last };
  } finally {
    waitEnded.abort();
  }
}
