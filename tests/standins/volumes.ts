/**
 * KubeVirt's volume rules, pure: which VM volumes are claims, how a StorageClass resolves to a
 * VolumeSnapshotClass, and the per-volume `volumeSnapshotStatuses` reasons (semantics §2.6, §3.2, §3.4).
 */
import type { Obj } from "./kube";

/** A VM volume that is backed by a claim: its volume name and claim name. */
export interface ClaimVolume {
  volumeName: string;
  claimName: string;
}

/** The annotation that marks the default VolumeSnapshotClass of a driver (only the key is checked). */
export const DEFAULT_CLASS_ANNOTATION = "snapshot.storage.kubernetes.io/is-default-class";

type Volume = {
  name: string;
  persistentVolumeClaim?: { claimName: string };
  dataVolume?: { name: string };
  memoryDump?: { claimName: string };
} & Record<string, unknown>;

/** The VM spec's volumes. */
export function vmVolumes(vm: Obj): Volume[] {
  return (vm.spec?.template?.spec?.volumes ?? []) as Volume[];
}

/** The claim behind a volume (PVC, DataVolume or MemoryDump), or undefined for other volume types. */
export function claimOf(volume: Volume): string | undefined {
  return volume.persistentVolumeClaim?.claimName ?? volume.dataVolume?.name ?? volume.memoryDump?.claimName;
}

/** Every claim-backed volume of the VM spec (VMI-only hotplugs are not in the spec, so not here). */
export function claimVolumes(vm: Obj): ClaimVolume[] {
  return vmVolumes(vm).flatMap((v) => {
    const claimName = claimOf(v);
    return claimName ? [{ volumeName: v.name, claimName }] : [];
  });
}

/** Result of resolving a StorageClass to a VolumeSnapshotClass. */
export type ClassResolution =
  { kind: "class"; name: string } | { kind: "none" } | { kind: "error"; message: string };

/** KubeVirt's rule: the single class whose driver is the provisioner; among several, the one annotated default. */
export function resolveSnapshotClass(
  storageClass: { metadata: { name?: string }; provisioner?: string } | undefined,
  classes: Obj[],
): ClassResolution {
  if (!storageClass) return { kind: "none" };
  const matching = classes.filter((c) => c["driver"] === storageClass.provisioner);
  if (matching.length === 0) return { kind: "none" };
  if (matching.length === 1) return { kind: "class", name: matching[0]?.metadata.name ?? "" };
  const defaults = matching.filter((c) => c.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] !== undefined);
  if (defaults.length >= 1) return { kind: "class", name: defaults[0]?.metadata.name ?? "" };
  return {
    kind: "error",
    message: `${matching.length} matching VolumeSnapshotClasses for ${storageClass.metadata.name ?? ""}`,
  };
}

/** One `vm.status.volumeSnapshotStatuses` entry, with KubeVirt's reason strings. */
export function volumeSnapshotStatus(
  volume: Volume,
  pvc: Obj | undefined,
  storageClass: { metadata: { name?: string }; provisioner?: string } | undefined,
  classes: Obj[],
): { name: string; enabled: boolean; reason?: string } {
  const claim = claimOf(volume);
  if (!claim)
    return {
      name: volume.name,
      enabled: false,
      reason: `Snapshot is not supported for this volumeSource type [${volume.name}]`,
    };
  if (!pvc) return { name: volume.name, enabled: false, reason: "PVC not found" };
  const scName = pvc.spec?.storageClassName as string | undefined;
  if (!scName)
    return { name: volume.name, enabled: false, reason: "volume type has no StorageClass defined" };
  const resolved = resolveSnapshotClass(storageClass, classes);
  if (resolved.kind === "class") return { name: volume.name, enabled: true };
  if (resolved.kind === "error") return { name: volume.name, enabled: false, reason: resolved.message };
  return {
    name: volume.name,
    enabled: false,
    reason: `No VolumeSnapshotClass: Volume snapshots are not configured for this StorageClass [${scName}] [${volume.name}]`,
  };
}
