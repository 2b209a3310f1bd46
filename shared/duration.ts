/**
 * Kubernetes / Go duration strings ("5m", "300s", "1h30m", "1.5h", "0"), the format of
 * `spec.failureDeadline` in KubeVirt's `VirtualMachineSnapshot` (a `metav1.Duration`).
 */

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;

/** The units a duration may use, for error messages. */
export const DURATION_UNITS = "h, m, s, ms, us, ns";

/** The longest duration Go's `time.Duration` holds (2^63-1 ns), so the longest KubeVirt can read, in ms. */
export const MAX_DURATION_MS = 9_223_372_036_854.775;
/** {@link MAX_DURATION_MS} as messages show it. */
export const MAX_DURATION_TEXT = "2562047h";

/**
 * Parses a Go duration string into milliseconds.
 * @returns the duration in milliseconds, or `undefined` when the text is not a Go duration (or one longer
 *   than Go holds, {@link MAX_DURATION_MS}, which Go's `time.ParseDuration` refuses).
 */
export function parseDuration(text: string): number | undefined {
  let rest = text;
  let sign = 1;
  if (rest.startsWith("-") || rest.startsWith("+")) {
    sign = rest.startsWith("-") ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === "0") return 0;
  if (rest === "") return undefined;
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < rest.length) {
    const match = PART.exec(rest);
    if (!match) return undefined;
    total += Number(match[1]) * (UNIT_MS[match[2] ?? ""] ?? Number.NaN);
  }
  return Number.isFinite(total) && total <= MAX_DURATION_MS ? sign * total : undefined;
}

/** Formats milliseconds as a short human duration ("2m30s", "450ms") for messages. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const totalSeconds = Math.round(ms / 1000);
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  return [h ? `${h}h` : "", m ? `${m}m` : "", s || (!h && !m) ? `${s}s` : ""].join("");
}
