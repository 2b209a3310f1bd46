/** Table rows of phase 1 (detection latency) and phase 2 (fail-fast). */
import type { DetectionResult } from "./detection";
import { PEER_NAMES } from "./peers/peer";
import type { PeerSamples, SamplesByPeer } from "./samples";
import { maximum, median, percentile } from "./stats";
import { meets, num, ratio, type Row } from "./table";

const NO_SAMPLES: PeerSamples = { values: [], errors: [], errorCount: 0 };

function p50p99(s: PeerSamples): [number, number] {
  return [percentile(s.values, 50), percentile(s.values, 99)];
}

/** "(n errors, the first: …)" of a peer, or "". */
function errorNote(s: PeerSamples): string {
  if (!s.errorCount) return "";
  const first = s.errors[0] ?? "";
  return ` (${s.errorCount} error(s), the first: ${first.length > 200 ? `${first.slice(0, 200)}…` : first})`;
}

/**
 * A peer's figure (prefixed with its name unless `name` is empty), or why there is none; with its errors
 * unless `quiet` (ours repeats on several rows; its errors are told once).
 */
function describe(name: string, s: PeerSamples, text: (s: PeerSamples) => string, quiet = false): string {
  const prefix = name ? `${name}: ` : "";
  if (s.unavailable) return `${prefix}not available: ${s.unavailable}`;
  return `${prefix}${s.values.length ? text(s) : "no samples"}${quiet ? "" : errorNote(s)}`;
}

function latencyText(s: PeerSamples): string {
  const [p50, p99] = p50p99(s);
  return `${num(p50)} / ${num(p99)} ms`;
}

function detectionRow(
  ours: PeerSamples,
  peerName: string,
  peer: PeerSamples,
  target: string,
  met: Row["met"],
  first = false,
): Row {
  const [o50, o99] = p50p99(ours);
  const [p50, p99] = p50p99(peer);
  return {
    measure: `detection latency p50 / p99, status write → waiter returns (n = ${ours.values.length})`,
    ours: describe("", ours, latencyText, !first),
    peer: describe(peerName, peer, latencyText),
    ratio: `${ratio(o50, p50)} / ${ratio(o99, p99)}`,
    target,
    met,
  };
}

/**
 * The row splitting our samples at the commit PATCH: p50 of each part (the p50s need not add up to the
 * sample's p50), beside kubectl wait's p50.
 */
function splitRow(result: DetectionResult, kubectl: PeerSamples): Row {
  const { splits, splitErrors, splitErrorCount } = result;
  const p50 = (pick: (s: (typeof splits)[number]) => number) => num(median(splits.map(pick)));
  const errors = splitErrorCount
    ? ` (${splitErrorCount} sample(s) not split, the first: ${splitErrors[0] ?? ""})`
    : "";
  return {
    measure: `detection latency split at our commit PATCH (audit times), p50 of each part (n = ${splits.length})`,
    ours: splits.length
      ? `ready status write → commit PATCH received (watch event seen, history, decided) ${p50((s) => s.seen)} ms; ` +
        `PATCH received → complete ${p50((s) => s.patch)} ms; ` +
        `PATCH complete → Create answered over gRPC ${p50((s) => s.answer)} ms${errors}`
      : `no samples${errors}`,
    peer: describe(PEER_NAMES.kubectl, kubectl, (s) => `p50 ${num(median(s.values))} ms`, true),
    ratio: "",
    target: "",
    met: "",
  };
}

/**
 * Rows of the detection phase: ours against kubectl wait (with the target), the CustomResource, the floor,
 * and our samples split at the commit PATCH.
 */
export function detectionRows(result: DetectionResult): Row[] {
  const { samples } = result;
  const get = (name: string) => samples.get(name) ?? NO_SAMPLES;
  const ours = get(PEER_NAMES.provider);
  const kubectl = get(PEER_NAMES.kubectl);
  const [o50] = p50p99(ours);
  const [k50] = p50p99(kubectl);
  const met = meets(o50, o50 <= 20 && (!Number.isFinite(k50) || o50 <= 1.2 * k50));
  return [
    detectionRow(ours, PEER_NAMES.kubectl, kubectl, "p50 ≤ 20 ms and ≤ 1.2× kubectl wait", met, true),
    detectionRow(ours, PEER_NAMES.customResource, get(PEER_NAMES.customResource), "", ""),
    detectionRow(ours, PEER_NAMES.floor, get(PEER_NAMES.floor), "", ""),
    splitRow(result, kubectl),
  ];
}

function secondsText(s: PeerSamples): string {
  return `${num(median(s.values), 3)} s (max ${num(maximum(s.values), 3)})`;
}

/** Rows of the fail-fast phase. */
export function failFastRows(samples: SamplesByPeer, timeoutS: number): Row[] {
  const get = (name: string) => samples.get(name) ?? NO_SAMPLES;
  const ours = get(PEER_NAMES.provider);
  const o = median(ours.values);
  const measure = `Failed: phase change → error, median (max) (n = ${ours.values.length})`;
  const row = (name: string, note: string, target: string, met: Row["met"]): Row => {
    const peer = get(name);
    return {
      measure,
      ours: describe("", ours, secondsText, name !== PEER_NAMES.floor),
      peer: describe(name, peer, secondsText) + note,
      ratio: ratio(o, median(peer.values)),
      target,
      met,
    };
  };
  const timeoutNote = `; waits for readyToUse only, so it runs to its timeout (${timeoutS} s from its start here)`;
  return [
    row(PEER_NAMES.floor, "", "≤ 1 s", meets(o, o <= 1)),
    row(PEER_NAMES.kubectl, timeoutNote, "", ""),
    row(PEER_NAMES.customResource, `${timeoutNote}; its default create timeout is 10 min`, "", ""),
  ];
}
