/** Reading values back from stored state, where anything may be missing or of an older shape. */

/** The string at `key`, or `fallback` when it is absent or not a string. */
export function stringProp(props: Record<string, unknown>, key: string, fallback = ""): string {
  const value = props[key];
  return typeof value === "string" ? value : fallback;
}

/** The number at `key`, or `fallback` when it is absent or not a finite number. */
export function numberProp(props: Record<string, unknown>, key: string, fallback = 0): number {
  const value = props[key];
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}
