/** Choice of the snapshot.kubevirt.io version to speak, from what the cluster serves. Pure. */
import { SNAPSHOT_GROUP, SNAPSHOT_VERSIONS } from "../core/constants";
import { ProviderError } from "../core/errors";

/** Picks v1, else v1beta1, else v1alpha1; fails clearly when KubeVirt's snapshot API is not installed. */
export function chooseSnapshotVersion(served: readonly string[]): string {
  const choice = SNAPSHOT_VERSIONS.find((v) => served.includes(v));
  if (choice) return choice;
  const seen = served.length ? `it serves only ${served.join(", ")}` : "the API group is missing";
  throw new ProviderError(
    `KubeVirt snapshot API not installed: ${SNAPSHOT_GROUP} is not served by this cluster (${seen}). ` +
      "This provider needs KubeVirt ≥ v0.31 with the snapshot CRDs (v1alpha1, v1beta1 or v1). Fix: install " +
      "KubeVirt, or point the provider at the right cluster (stack config pulumi-kubevirt-snapshot:kubeconfig / :context, " +
      "the context input, or KUBECONFIG).",
  );
}
