/**
 * Requests the API server refused without processing them (HTTP 429: its storage for a kind is still
 * initializing right after a CRD is installed, or priority-and-fairness throttling) are sent again after the
 * delay the server asks for, as client-go does. Pure: the caller waits and retries.
 */

/** At most this many tries of one request (client-go's default is 10 as well). */
export const MAX_THROTTLED_TRIES = 10;

const DEFAULT_DELAY_MS = 1_000;
const MAX_DELAY_MS = 10_000;

/**
 * The wait before try `tries + 1` of a request that failed with `error`, or `undefined` when it must not be
 * retried: only a 429, never more than {@link MAX_THROTTLED_TRIES} tries, waiting the `Retry-After` seconds the
 * server sent (1 s without one, at most 10 s).
 */
export function throttleDelayMs(error: unknown, tries: number): number | undefined {
  const e = error as { code?: unknown; headers?: Record<string, unknown> } | null;
  if (e?.code !== 429 || tries >= MAX_THROTTLED_TRIES) return undefined;
  const header = e.headers?.["retry-after"] ?? e.headers?.["Retry-After"];
  const seconds = Number(header);
  if (header === undefined || !Number.isFinite(seconds) || seconds < 0) return DEFAULT_DELAY_MS;
  return Math.min(seconds * 1000, MAX_DELAY_MS);
}
