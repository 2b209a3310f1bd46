/**
 * An answer reused for a while: the served API versions are asked by every operation, and the operations of
 * one `pulumi up` (200 snapshots at once) can share one answer instead of one discovery request each.
 */

/** A cache of one answer; `get` asks again once the answer is older than the TTL, or was not worth keeping. */
export interface RecentAnswer<T> {
  /** The kept answer if fresh, else `ask()`'s (concurrent callers share one request). */
  get(ask: () => Promise<T>): Promise<T>;
}

/**
 * Keeps an answer `ttlMs` from when it was asked for, if `keep(answer)` (so an empty discovery, e.g. before
 * KubeVirt is installed, is asked again at once). A failed request is not kept.
 */
export function recentAnswer<T>(
  ttlMs: number,
  keep: (answer: T) => boolean,
  now: () => number = Date.now,
): RecentAnswer<T> {
  let kept: { answer: Promise<T>; at: number } | undefined;
  return {
    get(ask) {
      if (kept && now() - kept.at < ttlMs) return kept.answer;
      const entry = { answer: ask(), at: now() };
      kept = entry;
      entry.answer.then(
        (answer) => {
          if (!keep(answer) && kept === entry) kept = undefined;
        },
        () => {
          if (kept === entry) kept = undefined;
        },
      );
      return entry.answer;
    },
  };
}
