/**
 * What is known of the VM at the moment of the snapshot: whether it ran and whether its guest agent was
 * connected. The provider looks before creating; for an adopted snapshot only KubeVirt's indications tell.
 */
import type { VirtualMachineSnapshot } from "../kube/types";

/** What the provider saw of the VM before creating the snapshot. */
export interface SourceObservation {
  online: boolean;
  guestAgentConnected: boolean;
}

/** What the snapshot's own indications say about the VM when it was taken (the provider did not see it). */
export function observationFromIndications(snapshot: VirtualMachineSnapshot): SourceObservation {
  const indications = snapshot.status?.indications ?? [];
  return { online: indications.includes("Online"), guestAgentConnected: indications.includes("GuestAgent") };
}
