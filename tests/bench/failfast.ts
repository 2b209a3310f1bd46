/**
 * Phase 2, fail-fast: snapshots whose VolumeSnapshots report a CSI error (sim.kvsnap.io/volume-snapshot-error)
 * stay InProgress until KubeVirt's failureDeadline passes and it writes phase Failed. A sample is the time from
 * that status write to the waiter returning with an error. kubectl wait and the CustomResource wait for
 * readyToUse only, so they run to their timeout: one sample each, started with the first round.
 */
import type { BenchContext } from "./bench-ground";
import { statusWriteTime } from "./audit-queries";
import { sleep } from "./clock";
import { PEER_NAMES, type Peer, type Target } from "./peers/peer";
import { emptySamples, record, type SamplesByPeer } from "./samples";
import { deleteAllSnapshots } from "./snapshots";
import { benchNamespace, createVms } from "./vms";

const NAMESPACE = "bench-fail";
const SCENARIO = { "sim.kvsnap.io/volume-snapshot-error": "bench: the CSI driver refuses the snapshot" };
/** Peers that end only on readyToUse (or their timeout). */
const TIMEOUT_BOUND: readonly string[] = [PEER_NAMES.kubectl, PEER_NAMES.customResource];

/** Takes one failing snapshot with `peer`; resolves with seconds from the Failed write to the error. */
async function failOnce(ctx: BenchContext, peer: Peer, target: Target): Promise<number | { error: string }> {
  const wait = await peer.start(target);
  const end = await wait.done;
  const failed = await statusWriteTime(ctx.audit, NAMESPACE, wait.snapshot, "failed", 10_000).catch(
    () => undefined,
  );
  if (end.ok) return { error: `${wait.snapshot} was reported ready` };
  if (failed === undefined)
    return { error: `no Failed status write of ${wait.snapshot}: ${end.message.split("\n")[0] ?? ""}` };
  return (end.at - failed) / 1000;
}

function target(ctx: BenchContext, index: number, label: string): Target {
  const { failDeadlineS, failTimeoutS } = ctx.plan;
  return {
    namespace: NAMESPACE,
    vm: `fail-${index}`,
    failureDeadline: `${failDeadlineS}s`,
    timeoutS: failTimeoutS,
    label,
  };
}

/** Runs the phase. */
export async function measureFailFast(
  ctx: BenchContext,
  peers: Peer[],
  unavailable: ReadonlyMap<string, string>,
): Promise<SamplesByPeer> {
  await benchNamespace(ctx.a, NAMESPACE, ctx.userKubeconfig);
  await createVms(
    ctx.a,
    NAMESPACE,
    peers.map((_, i) => `fail-${i}`),
    SCENARIO,
  );
  const samples = emptySamples(
    peers.map((p) => p.name),
    unavailable,
  );
  const run = async (peer: Peer, i: number, n: number): Promise<void> => {
    await sleep(i * 1000); // the peers' deadlines pass a second apart
    record(samples, peer.name, await failOnce(ctx, peer, target(ctx, i, `f${n}-${i}`)));
  };
  const timeoutBound: Promise<void>[] = [];
  for (let n = 0; n < ctx.plan.failSamples; n++) {
    const quick: Promise<void>[] = [];
    peers.forEach((peer, i) => {
      if (!TIMEOUT_BOUND.includes(peer.name)) quick.push(run(peer, i, n));
      else if (n === 0) timeoutBound.push(run(peer, i, n));
    });
    await Promise.all(quick);
  }
  await Promise.all(timeoutBound);
  await deleteAllSnapshots(ctx.a, NAMESPACE);
  return samples;
}
