/**
 * Which pods mount which PersistentVolumeClaims: a pure reading of core/v1 Pod objects, used by the cluster
 * to answer `listPodsUsingClaims` from the pods it lists.
 */
import type { PodUsingClaims } from "./cluster";

/** The parts of a core/v1 Pod read here (a client-node `V1Pod` fits). */
export interface PodView {
  metadata?: { name?: string };
  spec?: { volumes?: { persistentVolumeClaim?: { claimName?: string } }[] };
  status?: { phase?: string };
}

/** The pods whose `spec.volumes[].persistentVolumeClaim.claimName` is one of `claims`, sorted by name. */
export function podsMountingClaims(pods: readonly PodView[], claims: readonly string[]): PodUsingClaims[] {
  const wanted = new Set(claims);
  return pods
    .map((pod) => ({
      name: pod.metadata?.name ?? "",
      phase: pod.status?.phase || "Unknown",
      claims: [
        ...new Set(
          (pod.spec?.volumes ?? [])
            .map((v) => v.persistentVolumeClaim?.claimName ?? "")
            .filter((c) => wanted.has(c)),
        ),
      ].sort(),
    }))
    .filter((pod) => pod.claims.length > 0)
    .sort((a, b) => a.name.localeCompare(b.name));
}
