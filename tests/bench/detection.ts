/**
 * Phase 1, detection latency: each waiter takes a snapshot of its own VM, which the stand-ins hold at
 * Succeeded-not-ready (sim.kvsnap.io/hold-ready); once every waiter's watch is in place, the VMs are released
 * one at a time (in random order), so KubeVirt's controller writes readyToUse on one snapshot while the
 * machine is otherwise quiet. A sample is the time from that status write (the apiserver's audit timestamp)
 * to the waiter returning. This provider's samples are also split at its commit PATCH (commit-split.ts).
 */
import type { BenchContext } from "./bench-ground";
import { statusWriteTime } from "./audit-queries";
import { sleep, wallNow } from "./clock";
import { commitSplit, type CommitSplit } from "./commit-split";
import { PEER_NAMES, type Peer, type Wait, type WaitEnd } from "./peers/peer";
import { stopwatch } from "./progress";
import { emptySamples, record, type SamplesByPeer } from "./samples";
import { deleteAllSnapshots, getSnapshot } from "./snapshots";
import { annotateVm, benchNamespace, createVms, HOLD_READY } from "./vms";
import type { Admin } from "../ground/fixtures";

const NAMESPACE = "bench-detect";
const SCENARIO = {
  [HOLD_READY]: "true",
  "sim.kvsnap.io/volume-snapshot-delay-ms": "10",
  "sim.kvsnap.io/ready-delay-ms": "1",
};

/** Waits until the snapshot is Succeeded and held short of readyToUse. */
async function held(a: Admin, name: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const snap = await getSnapshot(a, NAMESPACE, name);
    if (snap?.status?.phase === "Failed") throw new Error(`${name} Failed instead of holding`);
    if (snap?.status?.phase === "Succeeded" && snap.status.readyToUse !== true) return;
    if (Date.now() > deadline)
      throw new Error(`${name} not held at Succeeded: ${JSON.stringify(snap?.status)}`);
    await sleep(50);
  }
}

function withTimeout(done: Promise<WaitEnd>, ms: number, now: () => number): Promise<WaitEnd> {
  const timeout = sleep(ms).then(() => ({ at: now(), ok: false, message: `no return within ${ms} ms` }));
  return Promise.race([done, timeout]);
}

function shuffled(count: number): number[] {
  const order = Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/** What the phase measured: the samples by peer, and this provider's samples split at its commit PATCH. */
export interface DetectionResult {
  samples: SamplesByPeer;
  splits: CommitSplit[];
  /** Why a provider sample could not be split (the first few), and how many. */
  splitErrors: string[];
  splitErrorCount: number;
}

/** A sample, and when it was taken from and to (for the split). */
type Sample = { value: number; readyAt: number; returnedAt: number } | { error: string };

/** Releases one held VM and measures its waiter; holds the VM again afterwards. */
async function releaseOne(ctx: BenchContext, vm: string, wait: Wait): Promise<Sample> {
  const armed = await wait.armed.then(
    () => undefined,
    (error: unknown) => `the waiter's watch was not seen: ${String(error)}`,
  );
  await annotateVm(ctx.a, NAMESPACE, vm, HOLD_READY, null);
  const end = await withTimeout(wait.done, 60_000, wallNow);
  const written = await statusWriteTime(ctx.audit, NAMESPACE, wait.snapshot, "ready").catch(() => undefined);
  await annotateVm(ctx.a, NAMESPACE, vm, HOLD_READY, "true");
  if (armed) return { error: armed };
  if (!end.ok) return { error: end.message.split("\n")[0] ?? "" };
  if (written === undefined)
    return { error: `no readyToUse status write of ${wait.snapshot} in the audit log` };
  return { value: end.at - written, readyAt: written, returnedAt: end.at };
}

/** Records a sample of `peer`, and for this provider the sample's split. */
function recordSample(ctx: BenchContext, result: DetectionResult, peer: string, wait: Wait, s: Sample): void {
  if ("error" in s) return record(result.samples, peer, s);
  record(result.samples, peer, s.value);
  if (peer !== PEER_NAMES.provider) return;
  const split = commitSplit(ctx.audit, NAMESPACE, wait.snapshot, s.readyAt, s.returnedAt);
  if (typeof split !== "string") result.splits.push(split);
  else if (result.splitErrorCount++ < 3) result.splitErrors.push(split);
}

/** Starts every peer's snapshot; a peer that cannot start is recorded with its error and sits the round out. */
async function startAll(
  peers: Peer[],
  n: number,
  samples: SamplesByPeer | undefined,
): Promise<(Wait | undefined)[]> {
  const started = await Promise.allSettled(
    peers.map((peer, i) =>
      peer.start({
        namespace: NAMESPACE,
        vm: `detect-${i}`,
        failureDeadline: "5m",
        timeoutS: 600,
        label: `d${n}-${i}`,
      }),
    ),
  );
  return started.map((result, i) => {
    if (result.status === "fulfilled") return result.value;
    if (samples) record(samples, peers[i]!.name, { error: `start: ${String(result.reason)}` });
    return undefined;
  });
}

/** One round: every peer takes and waits for one snapshot; recorded unless it is the warm-up. */
async function round(
  ctx: BenchContext,
  peers: Peer[],
  n: number,
  result: DetectionResult | undefined,
): Promise<void> {
  const lap = stopwatch(`detection round ${n}`);
  const waits = await startAll(peers, n, result?.samples);
  lap("started");
  const started = waits.filter((wait): wait is Wait => wait !== undefined);
  await Promise.all(started.map((wait) => held(ctx.a, wait.snapshot)));
  lap("held");
  await Promise.allSettled(started.map((wait) => wait.armed));
  lap("armed");
  for (const i of shuffled(peers.length)) {
    const wait = waits[i];
    if (!wait) continue;
    const sample = await releaseOne(ctx, `detect-${i}`, wait);
    if (result) recordSample(ctx, result, peers[i]!.name, wait, sample);
    lap(`released ${peers[i]!.name}`);
  }
  await deleteAllSnapshots(ctx.a, NAMESPACE);
  lap("deleted");
}

/** Runs the phase: one warm-up round, then `plan.detectionSamples` recorded rounds. */
export async function measureDetection(
  ctx: BenchContext,
  peers: Peer[],
  unavailable: ReadonlyMap<string, string>,
): Promise<DetectionResult> {
  await benchNamespace(ctx.a, NAMESPACE, ctx.userKubeconfig);
  await createVms(
    ctx.a,
    NAMESPACE,
    peers.map((_, i) => `detect-${i}`),
    SCENARIO,
  );
  const result: DetectionResult = {
    samples: emptySamples(
      peers.map((p) => p.name),
      unavailable,
    ),
    splits: [],
    splitErrors: [],
    splitErrorCount: 0,
  };
  await round(ctx, peers, 0, undefined);
  for (let n = 1; n <= ctx.plan.detectionSamples; n++) {
    await round(ctx, peers, n, result);
    if (n % 10 === 0) console.log(`[bench] detection: ${n}/${ctx.plan.detectionSamples} rounds`);
  }
  return result;
}
