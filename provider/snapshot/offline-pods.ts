/**
 * Pods that keep KubeVirt from locking a stopped VM. For an offline snapshot KubeVirt waits while any pod in
 * the VM's namespace mounts one of the VM's PVCs, and its Progressing reason gives only a count:
 * `Source not locked source is offline but 2 pods using PVCs [db-1-rootdisk]`. v1.9 skips Succeeded pods;
 * v1.5 to v1.7 (and, by the same code, v1.8) count them too; Failed pods count in every version.
 * These pure functions name the pods: in a warning before creating, on the progress line while KubeVirt
 * gives that reason, and in the failure message.
 */
import type { PodUsingClaims } from "../kube/cluster";
import { findCondition, type VirtualMachine, type VirtualMachineSnapshot } from "../kube/types";
import { summarizeSnapshot, type Summarize } from "../core/progress";

/** A VM volume with the sources KubeVirt takes a claim name from (PVC, DataVolume, MemoryDump). */
interface ClaimVolume {
  name: string;
  persistentVolumeClaim?: { claimName?: string };
  dataVolume?: { name?: string };
  memoryDump?: { claimName?: string };
}

/** What the provider found, before creating, about pods that mount a stopped VM's PVCs. */
export interface OfflinePods {
  namespace: string;
  vmName: string;
  /** The VM's claims, as KubeVirt checks them. */
  claims: string[];
  /** The pods that mount any of them; `undefined` when listing pods was forbidden (403). */
  pods: PodUsingClaims[] | undefined;
}

/** KubeVirt's reason for a stopped VM whose PVCs are in use: the pod count and the claims it checked. */
export interface PodsUsingPvcsReason {
  count: number;
  claims: string[];
}

const PODS_USING_PVCS = /source is offline but (\d+) pods using PVCs \[([^\]]*)\]/;

/**
 * The PVC names KubeVirt checks for pods before locking a stopped VM: the claims of its PVC, DataVolume and
 * MemoryDump volumes (KubeVirt's `PVCNameFromVirtVolume`), sorted and unique. A backend-storage PVC
 * (persistent TPM/EFI) is not in the VM spec and so not here.
 */
export function vmClaimNames(vm: VirtualMachine): string[] {
  const volumes: readonly ClaimVolume[] = vm.spec?.template?.spec?.volumes ?? [];
  const names = volumes.map(
    (v) => v.dataVolume?.name ?? v.persistentVolumeClaim?.claimName ?? v.memoryDump?.claimName ?? "",
  );
  return [...new Set(names.filter(Boolean))].sort();
}

/** Reads KubeVirt's "pods using PVCs" Progressing reason; `undefined` for any other reason. */
export function podsUsingPvcsReason(reason: string): PodsUsingPvcsReason | undefined {
  const match = PODS_USING_PVCS.exec(reason);
  if (!match) return undefined;
  return { count: Number(match[1]), claims: (match[2] ?? "").split(" ").filter(Boolean) };
}

/** The Progressing reason of a snapshot that is still waiting (phase unset or InProgress), else `undefined`. */
export function waitingReason(snapshot: VirtualMachineSnapshot | undefined): string | undefined {
  const phase = snapshot?.status?.phase ?? "";
  if (!snapshot || (phase !== "" && phase !== "InProgress")) return undefined;
  return findCondition(snapshot.status?.conditions, "Progressing")?.reason ?? "";
}

const plural = (n: number, one: string, many: string): string => (n === 1 ? one : many);

/** `"holder" (Running, mounts db-1-rootdisk), "job-1" (Succeeded, mounts db-1-data)`. */
function podList(pods: readonly PodUsingClaims[]): string {
  return pods.map((p) => `"${p.name}" (${p.phase}, mounts ${p.claims.join(", ")})`).join(", ");
}

const names = (pods: readonly PodUsingClaims[]): string => pods.map((p) => `"${p.name}"`).join(", ");

/**
 * The fix for pods holding the claims, by phase: live pods must stop (or go); Failed pods count in every
 * KubeVirt version; Succeeded pods only before v1.9.
 */
export function podsFix(namespace: string, pods: readonly PodUsingClaims[]): string {
  const live = pods.filter((p) => p.phase !== "Succeeded" && p.phase !== "Failed");
  const failed = pods.filter((p) => p.phase === "Failed");
  const succeeded = pods.filter((p) => p.phase === "Succeeded");
  const steps: string[] = [];
  if (live.length)
    steps.push(
      `stop the workload that runs ${plural(live.length, "pod", "pods")} ${names(live)} or delete ` +
        plural(live.length, "it", "them"),
    );
  if (failed.length)
    steps.push(
      `delete the failed ${plural(failed.length, "pod", "pods")} ${names(failed)} (KubeVirt counts failed pods too)`,
    );
  if (succeeded.length)
    steps.push(
      `on KubeVirt v1.8 or older also delete the finished ${plural(succeeded.length, "pod", "pods")} ` +
        `${names(succeeded)} (those versions count Succeeded pods; v1.9 ignores them)`,
    );
  const all = [...live, ...failed, ...succeeded].map((p) => p.name).join(" ");
  return `${steps.join("; ")}. To delete: kubectl delete pod ${all} -n ${namespace}`;
}

/**
 * The pods KubeVirt counted: all of them, except that Succeeded pods are dropped when the others alone make
 * KubeVirt's count (v1.9 skips Succeeded pods; KubeVirt counts a pod once per volume mounting a checked claim).
 */
export function countedPods(
  pods: readonly PodUsingClaims[],
  parsed: PodsUsingPvcsReason,
): readonly PodUsingClaims[] {
  const unfinished = pods.filter((p) => p.phase !== "Succeeded");
  const weight = unfinished.reduce(
    (sum, p) => sum + p.claims.filter((c) => parsed.claims.includes(c)).length,
    0,
  );
  return unfinished.length < pods.length && unfinished.length > 0 && weight === parsed.count
    ? unfinished
    : pods;
}

/** A command that lists the pods of `namespace` mounting any of `claims`, for when the provider cannot. */
function findPodsCommand(namespace: string, claims: readonly string[]): string {
  const wanted = claims.map((c) => `"${c}"`).join(",");
  return (
    `kubectl get pods -n ${namespace} -o json | jq -r '.items[] | select(any(.spec.volumes[]?; ` +
    `.persistentVolumeClaim.claimName | IN(${wanted}))) | .metadata.name'`
  );
}

/**
 * Before creating an offline snapshot: a warning naming the pods that mount the stopped VM's PVCs (with the
 * fix), a note when pods could not be listed, or nothing when no pod mounts them.
 */
export function offlinePodsCheck(found: OfflinePods): { warnings: string[]; notes: string[] } {
  const ref = `${found.namespace}/${found.vmName}`;
  if (!found.pods) {
    return {
      warnings: [],
      notes: [
        `VM ${ref} is stopped; the provider may not list pods (no "list" on pods, see rbac/vmsnapshot-role.yaml), ` +
          `so it cannot check that no pod mounts its PVCs (${found.claims.join(", ")}). KubeVirt waits while any does.`,
      ],
    };
  }
  const pods = found.pods;
  if (!pods.length) return { warnings: [], notes: [] };
  const onlySucceeded = pods.every((p) => p.phase === "Succeeded");
  const effect = onlySucceeded
    ? "KubeVirt v1.8 and older count finished pods too and will not lock the VM for a snapshot while they " +
      "exist (v1.9 ignores Succeeded pods), so there the snapshot waits and fails at its failureDeadline."
    : "KubeVirt does not lock a stopped VM for a snapshot while pods use its PVCs, so the snapshot waits " +
      '(Progressing "source is offline but … pods using PVCs") and fails at its failureDeadline if they stay.';
  return {
    warnings: [
      `VM ${ref} is stopped and ${pods.length} ${plural(pods.length, "pod mounts", "pods mount")} its PVCs: ` +
        `${podList(pods)}. ${effect} Fix: ${podsFix(found.namespace, pods)}.`,
    ],
    notes: [],
  };
}

/**
 * The text added to a progress line: the pods found, while KubeVirt's Progressing `reason` is the "pods
 * using PVCs" one; "" otherwise (and when the pods are unknown, leaving KubeVirt's count).
 */
export function podsDecoration(
  claims: readonly string[],
  pods: readonly PodUsingClaims[] | undefined,
  reason: string,
): string {
  const parsed = podsUsingPvcsReason(reason);
  if (!parsed || !pods) return "";
  const checked = new Set([...claims, ...parsed.claims]);
  const holding = countedPods(
    pods.filter((p) => p.claims.some((c) => checked.has(c))),
    parsed,
  );
  if (!holding.length) return "";
  return (
    `held by ${plural(holding.length, "pod", "pods")} ${podList(holding)}: ` +
    `stop or delete ${plural(holding.length, "it", "them")} so KubeVirt can lock the VM`
  );
}

/**
 * The failure-message hint when KubeVirt's last waiting reason was "pods using PVCs": the pods found and the
 * fix, or how to find them when the provider could not list pods; `undefined` for any other reason.
 */
export function offlinePodsHint(found: OfflinePods, reason: string): string | undefined {
  const parsed = podsUsingPvcsReason(reason);
  if (!parsed) return undefined;
  const ref = `${found.namespace}/${found.vmName}`;
  const what = `KubeVirt never locked the stopped VM ${ref}: "${reason}".`;
  const again = "then run `pulumi up` again";
  const claims = parsed.claims.length ? parsed.claims : found.claims;
  const matching = found.pods?.filter((p) => p.claims.some((c) => claims.includes(c)));
  const holding = matching && countedPods(matching, { ...parsed, claims });
  if (holding?.length) {
    return (
      `${what} Held by ${plural(holding.length, "pod", "pods")} ${podList(holding)}. ` +
      `Fix: ${podsFix(found.namespace, holding)}; ${again}.`
    );
  }
  const why = found.pods
    ? "the provider saw none of them when it checked before creating"
    : 'the provider may not list pods to name them: grant "list" on pods (see rbac/vmsnapshot-role.yaml)';
  return (
    `${what} Pods in namespace ${found.namespace} mount its PVCs; ${why}. Fix: find them with ` +
    `${findPodsCommand(found.namespace, claims)}, stop or delete them, ${again}.`
  );
}

/**
 * A snapshot summarizer for the wait after creating: progress lines name the pods found while KubeVirt's
 * reason is "pods using PVCs", and it remembers KubeVirt's last waiting reason (at the deadline the reason
 * becomes "Operation failed", so the failure message needs the one before).
 */
export function offlinePodsFollower(found: OfflinePods | undefined): {
  summarize: Summarize<VirtualMachineSnapshot>;
  lastWaitingReason(): string;
} {
  let last = "";
  const decorate = found && ((reason: string) => podsDecoration(found.claims, found.pods, reason));
  return {
    summarize(snapshot) {
      last = waitingReason(snapshot) ?? last;
      return summarizeSnapshot(snapshot, decorate);
    },
    lastWaitingReason: () => last,
  };
}
