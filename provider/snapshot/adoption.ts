/**
 * Whether an existing snapshot may be adopted (`adopt: true`): the import path for snapshots made outside
 * Pulumi. Pure; each problem names what was found, what was expected and the fix.
 */
import { parseDuration } from "../../shared/duration";
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, OWNER_ANNOTATION } from "../core/constants";
import type { ProviderInputs } from "./inputs";
import { findCondition, type VirtualMachineSnapshot } from "../kube/types";

/** KubeVirt's failureDeadline when the spec leaves it unset. */
const KUBEVIRT_DEFAULT_DEADLINE_MS = 5 * 60_000;

type AdoptInputs = Pick<
  ProviderInputs,
  "namespace" | "name" | "vmName" | "owner" | "failureDeadline" | "deletionPolicy"
>;

function sourceProblem(live: VirtualMachineSnapshot, inputs: AdoptInputs): string | undefined {
  const source = live.spec.source;
  if (source.kind === "VirtualMachine" && source.name === inputs.vmName) return undefined;
  return (
    `it is a snapshot of ${source.kind} "${source.name}", not of VirtualMachine "${inputs.vmName}". ` +
    `Fix: set vmName to "${source.name}", or name a snapshot of "${inputs.vmName}".`
  );
}

function ownerProblem(live: VirtualMachineSnapshot, inputs: AdoptInputs): string | undefined {
  const owner = live.metadata.annotations?.[OWNER_ANNOTATION];
  const managed = live.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE;
  if (owner === inputs.owner || (!owner && !managed)) return undefined;
  return (
    `it belongs to another Pulumi resource ("${owner ?? "unknown owner"}"); this resource is "${inputs.owner}". ` +
    "Fix: adopt it only after removing it from that stack (pulumi state delete there), or take a new snapshot."
  );
}

function phaseProblem(live: VirtualMachineSnapshot): string | undefined {
  const status = live.status ?? {};
  const failure = findCondition(status.conditions, "Failure");
  if (live.metadata.deletionTimestamp) {
    return "it is being deleted. Fix: take a new snapshot instead (remove adopt and name).";
  }
  if (status.phase !== "Failed" && failure?.status !== "True") return undefined;
  return (
    `it is Failed (${failure?.reason || "phase Failed"}${status.error?.message ? `: ${status.error.message}` : ""}) ` +
    `and stays Failed. Fix: delete it (kubectl delete vmsnapshot ${live.metadata.name ?? ""} -n ${live.metadata.namespace ?? ""}) ` +
    "and take a new one: remove adopt (and name)."
  );
}

function specProblems(live: VirtualMachineSnapshot, inputs: AdoptInputs): string[] {
  const problems: string[] = [];
  const liveDeadline = live.spec.failureDeadline;
  const liveMs = liveDeadline === undefined ? KUBEVIRT_DEFAULT_DEADLINE_MS : parseDuration(liveDeadline);
  if (liveMs !== parseDuration(inputs.failureDeadline)) {
    problems.push(
      `its spec.failureDeadline is "${liveDeadline ?? "5m (unset)"}" but failureDeadline is "${inputs.failureDeadline}" ` +
        `(the spec is immutable). Fix: set failureDeadline to "${liveDeadline ?? "5m"}".`,
    );
  }
  const livePolicy = live.spec.deletionPolicy ?? "Delete";
  if (livePolicy !== inputs.deletionPolicy) {
    problems.push(
      `its spec.deletionPolicy is "${livePolicy}" but deletionPolicy is "${inputs.deletionPolicy}" (the spec is ` +
        `immutable). Fix: set deletionPolicy to "${livePolicy}".`,
    );
  }
  return problems;
}

/** Everything that stops adopting `live` for these inputs (empty: it may be adopted). */
export function adoptionProblems(live: VirtualMachineSnapshot, inputs: AdoptInputs): string[] {
  const problems = [sourceProblem(live, inputs), ownerProblem(live, inputs), phaseProblem(live)];
  return [...problems.filter((p): p is string => p !== undefined), ...specProblems(live, inputs)];
}
