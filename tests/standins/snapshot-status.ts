/**
 * KubeVirt's VirtualMachineSnapshot status computation (`updateSnapshotStatus`, semantics §3.6, §2.3), pure:
 * phase precedence, conditions with stable transition times, indications, included/excluded volumes.
 */
import { parseDuration } from "../../sdk/duration";
import type { Obj } from "./kube";
import { claimOf, vmVolumes } from "./volumes";

/** KubeVirt's fixed indication messages (sourceIndications). */
export const INDICATION_MESSAGES: Readonly<Record<string, string>> = {
  Online: "Snapshot taken while the VM was running. Consistency depends on guest-agent quiescing.",
  Paused:
    "Snapshot taken while the VM was paused. Snapshot is crash-consistent and may not be application-consistent.",
  GuestAgent: "Guest agent was active and attempted to quiesce the filesystem for application consistency.",
  NoGuestAgent:
    "Guest agent was not available. Snapshot is crash-consistent and may not be application-consistent.",
  QuiesceTimeout:
    "Guest agent quiesced the filesystem, but the freeze window timed out before completion. Snapshot is crash-consistent and may not be application-consistent.",
  PartialSnapshot:
    "Not all snapshotable volumes were included in the snapshot. Check status.snapshotVolumes for excluded volumes and VM VolumeSnapshotStatus for details.",
};

/** KubeVirt's default failureDeadline. */
export const DEFAULT_DEADLINE_MS = 5 * 60_000;

/** A status condition. */
export interface Condition {
  type: string;
  status: string;
  reason: string;
  lastTransitionTime: string;
  lastProbeTime?: null;
}

/** The source VM as the controller sees it (undefined VM = "Source does not exist"). */
export interface SourceState {
  vm: Obj;
  vmi: Obj | undefined;
  locked: boolean;
  lockMessage: string | undefined;
}

/** Milliseconds of the snapshot's failureDeadline (default 5m, 0 = none). */
export function deadlineMs(snapshot: Obj): number {
  const text = snapshot.spec?.failureDeadline as string | undefined;
  return text === undefined ? DEFAULT_DEADLINE_MS : (parseDuration(text) ?? DEFAULT_DEADLINE_MS);
}

/** Whether the deadline has passed: Failed already, or unfinished after creationTimestamp + failureDeadline. */
export function deadlineExceeded(snapshot: Obj, now: number): boolean {
  const phase = snapshot.status?.phase as string | undefined;
  if (phase === "Failed") return true;
  if (phase === "Succeeded") return false;
  const limit = deadlineMs(snapshot);
  if (limit === 0) return false;
  return now > Date.parse(snapshot.metadata.creationTimestamp ?? "") + limit;
}

/** Time left until the deadline (for the requeue), undefined when there is none or it passed. */
export function timeUntilDeadline(snapshot: Obj, now: number): number | undefined {
  const limit = deadlineMs(snapshot);
  if (limit === 0) return undefined;
  const left = Date.parse(snapshot.metadata.creationTimestamp ?? "") + limit - now;
  return left > 0 ? left : undefined;
}

/** Sets a condition, keeping lastTransitionTime unless status or reason changed. Message stays empty. */
export function setCondition(
  conditions: Condition[],
  type: string,
  status: string,
  reason: string,
  now: string,
): Condition[] {
  const old = conditions.find((c) => c.type === type);
  const same = old && old.status === status && old.reason === reason;
  const next: Condition = {
    type,
    status,
    reason,
    lastTransitionTime: same ? old.lastTransitionTime : now,
    lastProbeTime: null,
  };
  return [...conditions.filter((c) => c.type !== type), next];
}

function hasCondition(obj: Obj | undefined, type: string, status?: string): boolean {
  return ((obj?.status?.conditions ?? []) as { type: string; status: string }[]).some(
    (c) => c.type === type && (status === undefined || c.status === status),
  );
}

/** Indications for an in-progress snapshot of a present VM (§2.3); `undefined` = offline (lists set to nil). */
export function currentIndications(source: SourceState, errorMessage: string): string[] | undefined {
  if (!source.vmi) return undefined;
  const found = ["Online"];
  if (hasCondition(source.vmi, "Paused", "True")) found.push("Paused");
  else if (hasCondition(source.vmi, "AgentConnected")) {
    found.push("GuestAgent");
    if (errorMessage.includes("fsfreeze is limited")) found.push("QuiesceTimeout");
  } else found.push("NoGuestAgent");
  return found;
}

function withMessages(indications: string[]): { indication: string; message: string }[] {
  const sorted = indications.filter((i) => i !== "PartialSnapshot").sort();
  if (indications.includes("PartialSnapshot")) sorted.push("PartialSnapshot");
  return sorted.map((indication) => ({ indication, message: INDICATION_MESSAGES[indication] ?? "" }));
}

/** Included/excluded volumes from the content's VM copy vs its volumeBackups, and whether it is partial. */
export function snapshotVolumes(content: Obj): { included: string[]; excluded: string[]; partial: boolean } {
  const vmCopy = (content.spec?.source?.virtualMachine ?? { metadata: {} }) as Obj;
  const backedUp = new Set(
    ((content.spec?.volumeBackups ?? []) as { volumeName: string }[]).map((b) => b.volumeName),
  );
  const volumes = vmVolumes(vmCopy);
  const excludedVolumes = volumes.filter((v) => !backedUp.has(v.name));
  return {
    included: volumes.filter((v) => backedUp.has(v.name)).map((v) => v.name),
    excluded: excludedVolumes.map((v) => v.name),
    partial: excludedVolumes.some((v) => claimOf(v) !== undefined),
  };
}

/** Computes the next status of a snapshot from what the controller observed. */
export function computeSnapshotStatus(
  snapshot: Obj,
  source: SourceState | undefined,
  content: Obj | undefined,
  now: number,
): Record<string, any> {
  const stamp = new Date(now).toISOString().replace(/\.\d{3}Z$/, "Z");
  const status: Record<string, any> = structuredClone(snapshot.status ?? { readyToUse: false });
  let conditions = (status["conditions"] ?? []) as Condition[];
  if (source) status["sourceUID"] = source.vm.metadata.uid;
  if (content?.status) {
    status["virtualMachineSnapshotContentName"] = content.metadata.name;
    if (content.status.creationTime) status["creationTime"] = content.status.creationTime;
    status["readyToUse"] = content.status.readyToUse === true;
    if (content.status.error) status["error"] = content.status.error;
    else delete status["error"];
  }
  if (deadlineExceeded(snapshot, now)) {
    status["phase"] = "Failed";
    conditions = setCondition(conditions, "Failure", "True", "snapshot deadline exceeded", stamp);
    conditions = setCondition(conditions, "Progressing", "False", "Operation failed", stamp);
  } else if (status["phase"] === "Succeeded" || status["creationTime"]) {
    status["phase"] = "Succeeded";
    conditions = setCondition(conditions, "Progressing", "False", "Operation complete", stamp);
    if (content) {
      const volumes = snapshotVolumes(content);
      status["snapshotVolumes"] = { includedVolumes: volumes.included, excludedVolumes: volumes.excluded };
      if (volumes.partial) {
        const indications = new Set<string>([
          ...((status["indications"] ?? []) as string[]),
          "PartialSnapshot",
        ]);
        status["indications"] = [...indications].sort();
        status["sourceIndications"] = withMessages([...indications]);
      }
    }
  } else {
    status["phase"] = "InProgress";
    if (source) {
      conditions = source.locked
        ? setCondition(conditions, "Progressing", "True", "Source locked and operation in progress", stamp)
        : setCondition(conditions, "Progressing", "False", source.lockMessage ?? "Source not locked", stamp);
      const found = currentIndications(source, (status["error"]?.message as string | undefined) ?? "");
      if (found === undefined) {
        delete status["indications"];
        delete status["sourceIndications"];
      } else {
        const union = [...new Set([...((status["indications"] ?? []) as string[]), ...found])].sort();
        status["indications"] = union;
        status["sourceIndications"] = withMessages(union);
      }
    } else {
      conditions = setCondition(conditions, "Progressing", "False", "Source does not exist", stamp);
    }
    if (snapshot.metadata.deletionTimestamp) {
      status["phase"] = "Deleting";
      conditions = setCondition(conditions, "Progressing", "False", "VM snapshot is deleting", stamp);
    }
  }
  conditions = setCondition(
    conditions,
    "Ready",
    status["readyToUse"] === true ? "True" : "False",
    status["readyToUse"] === true ? "Ready" : "Not ready",
    stamp,
  );
  if (status["error"]) conditions = setCondition(conditions, "Progressing", "False", "In error state", stamp);
  const order = ["Progressing", "Ready", "Failure"];
  status["conditions"] = conditions.sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type));
  return status;
}
