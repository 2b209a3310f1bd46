/**
 * How consistent a snapshot's data is, from KubeVirt's indications, whichever words the KubeVirt version
 * writes: a failed or too-long freeze is `QuiesceFailed` up to v1.7 and `QuiesceTimeout` (VSS thaw limit) from
 * v1.8; a paused guest or one without an agent is never frozen. Pure.
 */
import type { SourceObservation } from "./observation";

/**
 * `frozen`: the guest agent froze the file systems (consistent as the guest's own flush allows);
 * `crash-consistent`: the disks were copied while the guest ran unfrozen, like after a power cut;
 * `offline`: the VM was stopped; "" while KubeVirt has not cut the snapshot.
 */
export type Consistency = "frozen" | "crash-consistent" | "offline" | "";

/** Indications that say the freeze did not hold, by KubeVirt version (both are read on every version). */
export const QUIESCE_FAILURES = ["QuiesceFailed", "QuiesceTimeout"] as const;

/** What KubeVirt's indications (and, where a version writes none, the provider's own look) say. */
export interface ConsistencyVerdict {
  consistency: Consistency;
  /** Why it is crash-consistent, naming KubeVirt's indication; "" otherwise. */
  why: string;
}

const WHY: Record<string, string> = {
  QuiesceFailed: "KubeVirt indicates QuiesceFailed: a freeze of the guest's file systems failed",
  QuiesceTimeout:
    "KubeVirt indicates QuiesceTimeout: the guest thawed before the volumes were cut (Windows VSS holds a freeze at most 10 s)",
  NoGuestAgent: "KubeVirt indicates NoGuestAgent: no QEMU guest agent was connected, so nothing was frozen",
  Paused: "KubeVirt indicates Paused: a paused guest is never frozen and cannot flush its buffers",
};

/** The consistency of a snapshot cut with `indications` (KubeVirt's `status.indications`). */
export function consistencyOf(
  indications: readonly string[],
  observation: SourceObservation,
  cut: boolean,
): ConsistencyVerdict {
  if (!cut) return { consistency: "", why: "" };
  if (!observation.online && !indications.includes("Online")) return { consistency: "offline", why: "" };
  const word = [...QUIESCE_FAILURES, "NoGuestAgent", "Paused"].find((w) => indications.includes(w));
  if (word) return { consistency: "crash-consistent", why: WHY[word] ?? word };
  if (indications.includes("GuestAgent") || (indications.length === 0 && observation.guestAgentConnected))
    return { consistency: "frozen", why: "" };
  return { consistency: "crash-consistent", why: "no guest agent froze the file systems" };
}

/** The warning for a crash-consistent snapshot that is otherwise done. */
export function crashConsistentWarning(ref: string, why: string): string {
  return (
    `VirtualMachineSnapshot ${ref} is crash-consistent: ${why}. It restores like a disk after a power cut. ` +
    "For a file-system-consistent snapshot, make the guest agent able to freeze (on Fedora/RHEL guests SELinux " +
    "often blocks qemu-ga: load a policy module for it) and take a new one (change `triggers`)."
  );
}
