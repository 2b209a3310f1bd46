/**
 * When to touch a waiting restore so KubeVirt re-checks its grace period. Pure.
 *
 * Under `targetReadinessPolicy: WaitGracePeriod` (KubeVirt's default) KubeVirt fails a restore whose target
 * still runs 5 minutes after the restore's creationTimestamp, but it checks only when it reconciles the
 * restore, and no version (v1.5–v1.9) requeues it: without an event on the restore or the VM, the Failure
 * never comes and the wait would run to the provider's timeout. Touching the restore's metadata is such an
 * event; KubeVirt then writes its own Failure, with its own words.
 */
import type { MetadataPatch } from "../kube/cluster";
import type { VirtualMachineRestore } from "../kube/types";
import { restoreVerdict } from "./verdict";

/** KubeVirt's `DefaultGracePeriod` (snapshot.kubevirt.io `v1beta1.DefaultGracePeriod`, 5m in v1.5–v1.9). */
export const KUBEVIRT_GRACE_MS = 5 * 60_000;
/** Waited past the grace before the first touch, so KubeVirt's `time.Until(deadline) < 0` holds by then. */
export const GRACE_SLACK_MS = 1_000;
/** How often the touch is repeated while the restore still waits (clock skew, a missed reconcile). */
export const GRACE_NUDGE_EVERY_MS = 5_000;
/** The annotation written on the restore (never on the VM); its value is the time of the touch (RFC 3339). */
export const GRACE_CHECK_ANNOTATION = "pulumi-kubevirt-snapshot.io/grace-check";

/** What to do about one observed restore: never touch it, touch it now, or look again in `inMs`. */
export type GraceNudge = { kind: "never" } | { kind: "now" } | { kind: "later"; inMs: number };

/**
 * Decides whether the restore should be touched at `nowMs` (the last touch was at `lastNudgeMs`, if any).
 * Only a restore KubeVirt would still fail on its grace is touched: pending (not complete, no Failure, not
 * being deleted), under `WaitGracePeriod` (or no policy: KubeVirt's default, and v1alpha1 has no field), and
 * not yet restoring volumes (`status.restores` empty: KubeVirt has not passed its target-readiness check).
 * The first touch is due at creationTimestamp + 5m + 1s, later ones every 5s after the previous one.
 */
export function graceNudge(
  restore: VirtualMachineRestore | undefined,
  nowMs: number,
  lastNudgeMs: number | undefined,
): GraceNudge {
  if (!restore || restoreVerdict(restore).kind !== "pending") return { kind: "never" };
  if ((restore.spec.targetReadinessPolicy ?? "WaitGracePeriod") !== "WaitGracePeriod")
    return { kind: "never" };
  if (restore.status?.restores?.length) return { kind: "never" };
  const createdMs = Date.parse(restore.metadata.creationTimestamp ?? "");
  if (Number.isNaN(createdMs)) return { kind: "never" };
  const graceEndsMs = createdMs + KUBEVIRT_GRACE_MS + GRACE_SLACK_MS;
  const dueMs =
    lastNudgeMs === undefined ? graceEndsMs : Math.max(graceEndsMs, lastNudgeMs + GRACE_NUDGE_EVERY_MS);
  return nowMs >= dueMs ? { kind: "now" } : { kind: "later", inMs: dueMs - nowMs };
}

/** The metadata patch of one touch at `nowMs`: the grace-check annotation set to that time. */
export function graceNudgePatch(nowMs: number): MetadataPatch {
  return { labels: {}, annotations: { [GRACE_CHECK_ANNOTATION]: new Date(nowMs).toISOString() } };
}
