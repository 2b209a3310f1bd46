/**
 * KubeVirt's admission refusals of a new restore, read and explained. Pure.
 *
 * KubeVirt's restore webhook (v1.5–v1.9) denies a CREATE with HTTP 400 `Snapshot/Restore feature gate not
 * enabled` while the Snapshot gate is off, and with 422 and one cause `VirtualMachineRestore "<name>" in
 * progress` per restore of the same target whose `status.complete` is not true, failed ones included. It
 * checks its informer's copy of the restores, which can lag a deletion by a moment.
 */
import { OWNER_ANNOTATION } from "../core/constants";
import { resourcePrefix } from "../core/resource-prefix";
import { admissionDenial } from "../kube/api-errors";
import { findCondition, type VirtualMachineRestore } from "../kube/types";

/** KubeVirt's restore-webhook text for a create while the Snapshot gate is off. */
export const RESTORE_GATE_TEXT = "Snapshot/Restore feature gate not enabled";

/** What a refused create was about: the gate, restores of the same target, or something else. */
export type CreateRefusal = { kind: "gate" } | { kind: "blocked"; names: string[] } | { kind: "other" };

/** Classifies the server's message of a refused create (a webhook denial, or any other error text). */
export function classifyCreateRefusal(serverMessage: string): CreateRefusal {
  const denied = admissionDenial(serverMessage)?.message ?? "";
  if (denied.includes(RESTORE_GATE_TEXT)) return { kind: "gate" };
  const names = [...denied.matchAll(/VirtualMachineRestore "([^"]+)" in progress/g)].map((m) => m[1] ?? "");
  return names.length ? { kind: "blocked", names: [...new Set(names)] } : { kind: "other" };
}

/** What one blocking restore is now, as read back after the denial. */
export type BlockerState =
  | { kind: "gone" }
  | { kind: "complete" }
  | { kind: "deleting" }
  | { kind: "failed"; reason: string }
  | { kind: "running"; progressing: string; created: string };

/** The state of a blocking restore (`undefined` = 404). */
export function blockerState(restore: VirtualMachineRestore | undefined): BlockerState {
  if (!restore) return { kind: "gone" };
  if (restore.metadata.deletionTimestamp) return { kind: "deleting" };
  const conditions = restore.status?.conditions;
  const failure = findCondition(conditions, "Failure");
  if (failure?.status === "True")
    return { kind: "failed", reason: failure.reason || failure.message || "Failure" };
  if (restore.status?.complete === true) return { kind: "complete" };
  return {
    kind: "running",
    progressing: findCondition(conditions, "Progressing")?.reason ?? "",
    created: restore.metadata.creationTimestamp ?? "",
  };
}

/**
 * Whether creating again can succeed: every blocker is gone or complete, so KubeVirt's webhook judged from
 * a copy that had not caught up yet (e.g. right after this provider deleted its previous restore).
 */
export function blockersCleared(states: BlockerState[]): boolean {
  return states.every((s) => s.kind === "gone" || s.kind === "complete");
}

/** One blocking restore as the message names it. */
export interface Blocker {
  name: string;
  state: BlockerState;
  /** The blocker's owner annotation, when pulumi-kubevirt-snapshot made it. */
  owner: string | undefined;
}

/** Reads a blocker's facts from the object fetched by name. */
export function toBlocker(name: string, restore: VirtualMachineRestore | undefined): Blocker {
  return { name, state: blockerState(restore), owner: restore?.metadata.annotations?.[OWNER_ANNOTATION] };
}

/** Which restore was refused. */
export interface RefusedRestore {
  resourceName: string;
  namespace: string;
  name: string;
  snapshotName: string;
  targetVm: string;
}

function refused(r: RefusedRestore): string {
  return (
    `${resourcePrefix(r.resourceName)}KubeVirt refused to create VirtualMachineRestore ${r.namespace}/${r.name} ` +
    `(snapshot ${r.snapshotName} → VM ${r.targetVm})`
  );
}

function blockerLine(r: RefusedRestore, b: Blocker): string {
  const ref = `VirtualMachineRestore "${b.name}"`;
  const del = `kubectl delete vmrestore ${b.name} -n ${r.namespace}`;
  const by = b.owner
    ? ` It was made by the Pulumi resource "${b.owner}"; removing it there keeps that stack right.`
    : "";
  switch (b.state.kind) {
    case "failed":
      return `- ${ref} failed (KubeVirt: ${b.state.reason}) and blocks the VM until it is deleted. Fix: ${del}, then run pulumi up again.${by}`;
    case "running": {
      const doing = b.state.progressing
        ? `KubeVirt: ${b.state.progressing}`
        : "not reconciled by KubeVirt yet";
      const since = b.state.created ? `, created ${b.state.created}` : "";
      return (
        `- ${ref} is still in progress (${doing}${since}). Fix: wait until it completes ` +
        `(kubectl get vmrestore ${b.name} -n ${r.namespace} -w), then run pulumi up again; if it is abandoned, ${del}.${by}`
      );
    }
    case "deleting":
      return `- ${ref} is being deleted. Fix: wait until it is gone (kubectl get vmrestore ${b.name} -n ${r.namespace}), then run pulumi up again.`;
    case "complete":
      return `- ${ref} has completed since. Fix: run pulumi up again.`;
    case "gone":
      return `- ${ref} is gone now (KubeVirt's webhook had not seen it go yet). Fix: run pulumi up again.`;
  }
}

/** The message for a create refused because other restores of the same VM are not complete. */
export function restoreBlockedMessage(r: RefusedRestore, blockers: Blocker[]): string {
  return [
    `${refused(r)}: KubeVirt allows only one incomplete restore per VM, failed ones included, and VM ` +
      `${r.namespace}/${r.targetVm} has ${blockers.length === 1 ? "another" : `${blockers.length} others`}. ` +
      "No restore was created.",
    ...blockers.map((b) => blockerLine(r, b)),
  ].join("\n");
}

/** The message for a create refused because KubeVirt's Snapshot feature gate is off. */
export function restoreGateMessage(r: RefusedRestore): string {
  return (
    `${refused(r)}: "${RESTORE_GATE_TEXT}". Restores need KubeVirt's Snapshot feature gate, which is off; no ` +
    'restore was created. Fix: add "Snapshot" to spec.configuration.developerConfiguration.featureGates of the ' +
    "KubeVirt CR (kubectl edit kubevirt -n kubevirt); on KubeVirt v1.8 and later also make sure it is not listed in " +
    "spec.configuration.developerConfiguration.disabledFeatureGates. Then run pulumi up again."
  );
}
