/**
 * `adopt: true`: take over an existing snapshot (made with kubectl, a script, another tool) instead of
 * creating one. Dynamic resources cannot be `pulumi import`ed, so this is the import path.
 */
import { adoptionProblems } from "./adoption";
import type { OperationContext } from "../core/operation";
import type { ProviderInputs } from "./inputs";
import type { VirtualMachineSnapshot } from "../kube/types";
import { observationFromIndications, type SourceObservation } from "./observation";
import { snapshotAnnotations, snapshotLabels } from "./manifest";

/** Validates the named snapshot and marks it as this resource's (labels and owner annotation). */
export async function adoptExisting(
  ctx: OperationContext,
  inputs: ProviderInputs,
): Promise<{ snapshot: VirtualMachineSnapshot; observation: SourceObservation }> {
  const ref = ctx.refTo(inputs.name);
  const where = `VirtualMachineSnapshot ${inputs.namespace}/${inputs.name}`;
  const live = await ctx.cluster.getSnapshot(ref);
  if (!live) {
    throw ctx.fail(
      `adopt: ${where} not found (404); nothing was changed. Fix: check name and namespace ` +
        `(kubectl get vmsnapshot -n ${inputs.namespace}), or remove adopt and name to take a new snapshot.`,
    );
  }
  const problems = adoptionProblems(live, inputs);
  if (problems.length) {
    throw ctx.fail(`adopt: ${where} cannot be adopted; nothing was changed:\n  - ${problems.join("\n  - ")}`);
  }
  const snapshot = await ctx.cluster.patchSnapshotMetadata(ref, {
    labels: snapshotLabels(inputs),
    annotations: snapshotAnnotations(inputs),
  });
  ctx.say(`adopted ${where} (phase ${snapshot.status?.phase || "?"}).`);
  return { snapshot, observation: observationFromIndications(snapshot) };
}
