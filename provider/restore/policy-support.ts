/**
 * Which `volumeRestorePolicy` values a KubeVirt version has, and the refusal for one it lacks. Pure.
 *
 * KubeVirt v1.5 has no `volumeRestorePolicy` field at all (a strict create is refused as an unknown field);
 * v1.6 added `RandomizeNames` (the default) and `InPlace`; v1.8 added `PrefixTargetName` (from
 * `kubevirt.io/api` snapshot/v1beta1 of each version; KubeVirt's webhook denies others with
 * `volume restore policy "<value>" doesn't exist`).
 */
import { resourcePrefix } from "../core/resource-prefix";

/** The first KubeVirt version that has each policy. */
export const POLICY_SINCE: Readonly<Record<string, string>> = {
  RandomizeNames: "v1.6.0",
  InPlace: "v1.6.0",
  PrefixTargetName: "v1.8.0",
};

/** KubeVirt's default policy: left out of the manifest, so versions without the field take it too. */
export const DEFAULT_VOLUME_RESTORE_POLICY = "RandomizeNames";

/** Compares two `vMAJOR.MINOR.PATCH` versions (anything after the patch number is ignored). */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string) => (/^v?(\d+)\.(\d+)\.(\d+)/.exec(v) ?? []).slice(1, 4).map(Number);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}

/** The version that introduced `policy` when `kubevirtVersion` predates it; undefined when it is there or unknown. */
export function missingPolicy(policy: string, kubevirtVersion: string | undefined): string | undefined {
  const since = POLICY_SINCE[policy];
  if (!since || !kubevirtVersion || !/^v?\d+\.\d+\.\d+/.test(kubevirtVersion)) return undefined;
  return compareVersions(kubevirtVersion, since) < 0 ? since : undefined;
}

/** Whether a refused create says the cluster's KubeVirt lacks the policy (webhook denial or unknown field). */
export function isPolicyRefusal(serverMessage: string): boolean {
  return (
    /volume restore policy "[^"]*" doesn't exist/.test(serverMessage) ||
    /unknown field "spec\.volumeRestorePolicy"/.test(serverMessage)
  );
}

/** What the refusal names. */
export interface PolicyRefusalFacts {
  resourceName: string;
  policy: string;
  /** The cluster's KubeVirt version (the KubeVirt CR's `status.observedKubeVirtVersion`), if readable. */
  kubevirtVersion: string | undefined;
  /** KubeVirt's own words, when it was KubeVirt that refused. */
  serverMessage?: string;
}

/** The message for a policy the cluster's KubeVirt does not have. */
export function policyRefusal(facts: PolicyRefusalFacts): string {
  const since = POLICY_SINCE[facts.policy] ?? "a newer release";
  const found = facts.kubevirtVersion
    ? `this cluster runs KubeVirt ${facts.kubevirtVersion}`
    : "this cluster's KubeVirt does not have it (its version could not be read: the KubeVirt CR is not readable with these credentials)";
  const others = Object.entries(POLICY_SINCE)
    .filter(
      ([p, v]) =>
        p !== facts.policy && (!facts.kubevirtVersion || compareVersions(facts.kubevirtVersion, v) >= 0),
    )
    .map(([p]) => `"${p}"`);
  return (
    `${resourcePrefix(facts.resourceName)}volumeRestorePolicy "${facts.policy}" is not available: ${found}, and the policy exists ` +
    `from KubeVirt ${since}. Nothing was created.` +
    (facts.serverMessage ? ` KubeVirt said: ${facts.serverMessage}.` : "") +
    ` Fix: ${others.length ? `use ${others.join(" or ")} (or leave it unset: KubeVirt's default), ` : "leave volumeRestorePolicy unset, "}or upgrade KubeVirt to ${since} or later.`
  );
}
