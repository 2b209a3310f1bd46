/**
 * Creating the snapshot object idempotently: a name that already exists and carries this resource's owner
 * annotation (left by a crashed earlier run) is adopted; any other clash is a clear 409 error.
 */
import { OWNER_ANNOTATION } from "../core/constants";
import { hasStatus, isProviderError, KubeApiError, ProviderError } from "../core/errors";
import type { ProviderInputs } from "./inputs";
import type { OperationContext } from "../core/operation";
import type { VirtualMachineSnapshot } from "../kube/types";

const FEATURE_GATE_TEXT = "snapshot feature gate not enabled";

/** Explains KubeVirt's feature-gate rejection (the webhook's message is terse). */
export function featureGateError(namespace: string): ProviderError {
  return new ProviderError(
    `KubeVirt refused to create the snapshot in ${namespace}: "${FEATURE_GATE_TEXT}". The Snapshot feature ` +
      'gate is off. Fix: on KubeVirt ≤ v1.8 add "Snapshot" to spec.configuration.developerConfiguration.featureGates ' +
      'of the KubeVirt CR (e.g. kubectl patch kubevirt kubevirt -n kubevirt --type=json -p \'[{"op":"add","path":' +
      '"/spec/configuration/developerConfiguration/featureGates/-","value":"Snapshot"}]\'); on ≥ v1.9 remove it ' +
      "from disabledFeatureGates. Then run pulumi up again.",
  );
}

/** Whether an existing snapshot is the one this resource made earlier. */
export function isOwnSnapshot(existing: VirtualMachineSnapshot, inputs: ProviderInputs): boolean {
  return (
    existing.metadata.annotations?.[OWNER_ANNOTATION] === inputs.owner &&
    existing.spec.source.name === inputs.vmName
  );
}

function foreignClash(existing: VirtualMachineSnapshot, inputs: ProviderInputs): ProviderError {
  const owner = existing.metadata.annotations?.[OWNER_ANNOTATION];
  const who = owner ? `it belongs to "${owner}"` : "it was not made by pulumi-kubevirt-snapshot";
  return new KubeApiError(
    `409 Conflict: a VirtualMachineSnapshot named "${inputs.name}" already exists in ${inputs.namespace} and ${who} ` +
      `(source VM "${existing.spec.source.name}"); this resource is "${inputs.owner}". Nothing was changed. Fix: ` +
      "choose another name (or leave name unset for a generated one), or delete the existing snapshot if it is no longer needed.",
    409,
    "AlreadyExists",
    "",
  );
}

/** Creates the snapshot, or adopts this resource's own leftover; returns the object and whether it was adopted. */
export async function createOrAdopt(
  ctx: OperationContext,
  manifest: VirtualMachineSnapshot,
  inputs: ProviderInputs,
): Promise<{ snapshot: VirtualMachineSnapshot; adopted: boolean }> {
  try {
    return { snapshot: await ctx.cluster.createSnapshot(ctx.version, manifest), adopted: false };
  } catch (error) {
    if (isProviderError(error) && error.message.includes(FEATURE_GATE_TEXT))
      throw featureGateError(inputs.namespace);
    if (!hasStatus(error, 409)) throw error;
    const existing = await ctx.cluster.getSnapshot(ctx.refTo(inputs.name));
    if (!existing) throw error;
    if (!isOwnSnapshot(existing, inputs)) throw foreignClash(existing, inputs);
    ctx.say(`adopting ${inputs.namespace}/${inputs.name}, left by an earlier interrupted run.`);
    return { snapshot: existing, adopted: true };
  }
}
