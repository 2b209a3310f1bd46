/** Order statistics of the bench's samples. */

/** The p-th percentile (0–100) by the nearest-rank method; NaN for no samples. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? Number.NaN;
}

/** The median (nearest rank). */
export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** The largest value; NaN for none. */
export function maximum(values: readonly number[]): number {
  return values.length ? Math.max(...values) : Number.NaN;
}
