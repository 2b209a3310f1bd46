/** The `VirtualMachineRestore` object to create. Pure. */
import {
  KUBEVIRT_GROUP,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  OWNER_ANNOTATION,
  SNAPSHOT_GROUP,
} from "../core/constants";
import { ProviderError } from "../core/errors";
import { resourcePrefix } from "../core/resource-prefix";
import type { VirtualMachineRestore } from "../kube/types";
import type { RestoreInputs } from "./inputs";
import { DEFAULT_VOLUME_RESTORE_POLICY } from "./policy-support";

/**
 * Builds the restore for `targetVm`. v1alpha1 has no policy fields: there, non-default policies are an
 * error that names the field, and defaults are left out (KubeVirt applies the same ones).
 */
export function buildRestoreManifest(
  inputs: RestoreInputs,
  version: string,
  targetVm: string,
): VirtualMachineRestore {
  const spec: VirtualMachineRestore["spec"] = {
    target: { apiGroup: KUBEVIRT_GROUP, kind: "VirtualMachine", name: targetVm },
    virtualMachineSnapshotName: inputs.snapshotName,
  };
  if (version === "v1alpha1") {
    const custom = (
      [
        ["targetReadinessPolicy", inputs.targetReadinessPolicy, "WaitGracePeriod"],
        ["volumeRestorePolicy", inputs.volumeRestorePolicy, "RandomizeNames"],
      ] as const
    ).filter(([, value, fallback]) => value !== fallback);
    if (custom.length) {
      const fields = custom.map(([field, value]) => `${field} "${value}"`).join(", ");
      throw new ProviderError(
        `${resourcePrefix(inputs.resourceName)}${fields}: the cluster serves snapshot.kubevirt.io only as v1alpha1, which has no ` +
          "such field. Fix: leave it unset (KubeVirt's default), or upgrade KubeVirt to v1.0 or later.",
      );
    }
  } else {
    spec.targetReadinessPolicy = inputs.targetReadinessPolicy;
    // KubeVirt's default is left out: KubeVirt v1.5 has no such field and refuses a strict create that sets it.
    if (inputs.volumeRestorePolicy !== DEFAULT_VOLUME_RESTORE_POLICY)
      spec.volumeRestorePolicy = inputs.volumeRestorePolicy;
  }
  return {
    apiVersion: `${SNAPSHOT_GROUP}/${version}`,
    kind: "VirtualMachineRestore",
    metadata: {
      name: inputs.name,
      namespace: inputs.namespace,
      labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE },
      annotations: { [OWNER_ANNOTATION]: inputs.owner },
    },
    spec,
  };
}
