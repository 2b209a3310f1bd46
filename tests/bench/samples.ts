/** Samples per peer, and the errors seen, as the latency phases collect them. */

/** What one peer gave in a phase. */
export interface PeerSamples {
  /** Milliseconds (detection) or seconds (fail-fast). */
  values: number[];
  /** The first errors (a few), and how many there were. */
  errors: string[];
  errorCount: number;
  /** Why the peer did not run at all. */
  unavailable?: string;
}

/** Samples by peer name. */
export type SamplesByPeer = Map<string, PeerSamples>;

/** An empty record for each peer name (unavailable ones with their reason). */
export function emptySamples(
  names: readonly string[],
  unavailable: ReadonlyMap<string, string>,
): SamplesByPeer {
  const samples: SamplesByPeer = new Map();
  for (const name of names) samples.set(name, { values: [], errors: [], errorCount: 0 });
  for (const [name, why] of unavailable)
    samples.set(name, { values: [], errors: [], errorCount: 0, unavailable: why });
  return samples;
}

/** Adds a value, or an error, to a peer's record. */
export function record(samples: SamplesByPeer, peer: string, value: number | { error: string }): void {
  const entry = samples.get(peer);
  if (!entry) return;
  if (typeof value === "number") entry.values.push(value);
  else {
    entry.errorCount++;
    if (entry.errors.length < 3) entry.errors.push(value.error);
  }
}
