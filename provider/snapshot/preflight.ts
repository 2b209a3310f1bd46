/**
 * Checks made before anything is created: is the VM running, is its guest agent connected, is it paused,
 * can any of its volumes be snapshotted, do pods hold a stopped VM's PVCs. Pure: it judges the VM and VMI
 * objects (and the pods) the caller fetched.
 */
import { findCondition, type VirtualMachine, type VirtualMachineInstance } from "../kube/types";
import { offlinePodsCheck, type OfflinePods } from "./offline-pods";
import type { SourceObservation } from "./observation";

/** The guest-agent policy input. */
export type GuestAgentPolicy = "prefer" | "require" | "ignore";

/** What the pre-checks concluded: blocking errors, warnings to print, and what was seen. */
export interface PreflightResult {
  errors: string[];
  warnings: string[];
  notes: string[];
  observation: SourceObservation;
}

/** Options of {@link preflight}. */
export interface PreflightOptions {
  guestAgent: GuestAgentPolicy;
  allowEmpty: boolean;
  /** For a stopped VM: the pods found mounting its PVCs (KubeVirt will not lock it while they do). */
  offlinePods?: OfflinePods;
}

function conditionText(vmi: VirtualMachineInstance, type: string): string {
  const c = findCondition(vmi.status?.conditions, type);
  return c ? `${type}=${c.status}${c.reason ? ` (${c.reason})` : ""}` : `no ${type} condition`;
}

/** Applies the guest-agent policy to a VM's instance (`undefined` = the VM is stopped). */
export function guestAgentCheck(
  ref: string,
  vmi: VirtualMachineInstance | undefined,
  policy: GuestAgentPolicy,
) {
  const result: PreflightResult = {
    errors: [],
    warnings: [],
    notes: [],
    observation: { online: vmi !== undefined, guestAgentConnected: false },
  };
  if (!vmi) {
    result.notes.push(`VM ${ref} is stopped: taking an offline snapshot (nothing to freeze).`);
    return result;
  }
  const paused = findCondition(vmi.status?.conditions, "Paused")?.status === "True";
  const agent = findCondition(vmi.status?.conditions, "AgentConnected")?.status === "True";
  result.observation.guestAgentConnected = agent;
  const problem = paused
    ? `VM ${ref} is paused (Paused=True): a paused guest cannot be frozen (KubeVirt v1.6 and later skip the ` +
      "freeze; older versions attempt it, which a paused guest cannot answer), so the snapshot is only crash-consistent"
    : agent
      ? undefined
      : `VM ${ref} is running but its QEMU guest agent is not connected (${conditionText(vmi, "AgentConnected")}): ` +
        "the file systems cannot be frozen, so the snapshot is only crash-consistent (NoGuestAgent)";
  if (!problem) {
    result.notes.push(`VM ${ref} is running with the guest agent connected: file systems will be frozen.`);
  } else if (policy === "require") {
    const fix = paused
      ? `unpause it (virtctl unpause vm ${ref.split("/")[1] ?? ref} -n ${ref.split("/")[0] ?? ""})`
      : "install and start qemu-guest-agent in the guest and wait for AgentConnected=True " +
        `(kubectl get vmi ${ref.split("/")[1] ?? ref} -n ${ref.split("/")[0] ?? ""} -o jsonpath='{.status.conditions}')`;
    result.errors.push(
      `${problem}. guestAgent is "require", so nothing was created. Fix: ${fix}, or set guestAgent to ` +
        '"prefer" to accept a crash-consistent snapshot.',
    );
  } else if (policy === "prefer") {
    result.warnings.push(`${problem}. Set guestAgent to "require" to refuse such snapshots.`);
  }
  if (
    findCondition(vmi.status?.conditions, "AgentVersionNotSupported")?.status === "True" &&
    policy !== "ignore"
  ) {
    result.warnings.push(
      `VM ${ref}: the guest agent version is not supported by KubeVirt (AgentVersionNotSupported).`,
    );
  }
  return result;
}

/** Judges `vm.status.volumeSnapshotStatuses`: fails when no volume can be snapshotted (unless allowEmpty). */
export function eligibilityCheck(ref: string, vm: VirtualMachine, allowEmpty: boolean) {
  const errors: string[] = [];
  const warnings: string[] = [];
  const statuses = vm.status?.volumeSnapshotStatuses;
  const volumes = vm.spec?.template?.spec?.volumes ?? [];
  if (!statuses) {
    if (volumes.length > 0) {
      warnings.push(
        `VM ${ref} has no status.volumeSnapshotStatuses yet, so which volumes can be snapshotted is not known before creating.`,
      );
      return { errors, warnings };
    }
  }
  const all = statuses ?? [];
  const excluded = all.filter((s) => !s.enabled);
  const list = excluded.map((s) => `  - ${s.name}: ${s.reason ?? "not snapshot-enabled"}`).join("\n");
  if (all.every((s) => !s.enabled)) {
    const what =
      all.length === 0
        ? `VM ${ref} has no volumes, so a snapshot would only hold the VM definition.`
        : `no volume of VM ${ref} can be snapshotted, so a snapshot would only hold the VM definition:\n${list}`;
    if (allowEmpty) warnings.push(`${what}\nallowEmpty is true: taking a configuration-only snapshot.`);
    else
      errors.push(
        `${what}\nNothing was created. Fix: put the disks on a StorageClass whose CSI driver has a ` +
          "VolumeSnapshotClass (or mark one class snapshot.storage.kubernetes.io/is-default-class), or set " +
          "allowEmpty: true to take a configuration-only snapshot.",
      );
  } else if (excluded.length > 0) {
    warnings.push(`some volumes of VM ${ref} will not be in the snapshot (PartialSnapshot):\n${list}`);
  }
  return { errors, warnings };
}

/** Runs all pre-checks for one VM and its instance. */
export function preflight(
  vm: VirtualMachine,
  vmi: VirtualMachineInstance | undefined,
  options: PreflightOptions,
): PreflightResult {
  const ref = `${vm.metadata.namespace ?? ""}/${vm.metadata.name ?? ""}`;
  const result = guestAgentCheck(ref, vmi, options.guestAgent);
  const volumes = eligibilityCheck(ref, vm, options.allowEmpty);
  result.errors.push(...volumes.errors);
  result.warnings.push(...volumes.warnings);
  const holder = vm.status?.snapshotInProgress;
  if (holder) result.notes.push(`VM ${ref} is locked by snapshot "${holder}"; this one waits for the lock.`);
  if (!vmi && options.offlinePods) {
    const pods = offlinePodsCheck(options.offlinePods);
    result.warnings.push(...pods.warnings);
    result.notes.push(...pods.notes);
  }
  if (vm.status?.restoreInProgress) {
    result.warnings.push(
      `VM ${ref} is being restored (restore "${vm.status.restoreInProgress}" in progress).`,
    );
  }
  return result;
}
