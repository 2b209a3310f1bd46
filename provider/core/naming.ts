/** Choice of the Kubernetes name of a snapshot when the user gives none. */
import { randomInt } from "node:crypto";

const SUFFIX_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
/** Length of the random suffix of auto-names. */
export const SUFFIX_LENGTH = 7;
const MAX_NAME = 63;

/** A random suffix of lower-case letters and digits (production default for {@link autoName}). */
export function randomSuffix(): string {
  return Array.from({ length: SUFFIX_LENGTH }, () => SUFFIX_ALPHABET[randomInt(SUFFIX_ALPHABET.length)]).join(
    "",
  );
}

/**
 * Builds `<resource name>-<suffix>`, with the resource name folded into a DNS-1123 label (lower case,
 * other characters turned into '-', trimmed so the whole name fits in 63 characters).
 */
export function autoName(resourceName: string, suffix: string): string {
  const folded = resourceName
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-+/g, "-")
    .slice(0, MAX_NAME - suffix.length - 1)
    .replace(/^-+|-+$/g, "");
  return `${folded || "vmsnapshot"}-${suffix}`;
}

/**
 * Decides the snapshot's Kubernetes name in `check`: the user's `name`; else the name chosen before for the
 * same resource (so updates keep it; on a replacement the engine re-checks without olds and a new one is
 * chosen); else a new auto-name.
 */
export function chooseName(
  news: { name?: unknown; resourceName?: unknown },
  olds: { name?: unknown; resourceName?: unknown; autoNamed?: unknown } | undefined,
  suffix: () => string,
): string | undefined {
  if (typeof news.name === "string") return news.name;
  if (typeof news.resourceName !== "string") return undefined;
  if (
    olds &&
    typeof olds.name === "string" &&
    olds.resourceName === news.resourceName &&
    olds.autoNamed === true
  ) {
    return olds.name;
  }
  return autoName(news.resourceName, suffix());
}
