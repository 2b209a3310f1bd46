/**
 * Phase 3, scale (and phase 4, state): N snapshots of N VMs spread over the namespaces, taken by one
 * `pulumi up` of tests/bench/programs/scale (Pulumi's default parallelism, and with --parallel N when N is
 * larger) and removed by `pulumi destroy`, against the plain-client baseline doing the same. For each run:
 * the wall time, the requests of kvsnap-user by verb and its watches open at peak (from the audit log; only
 * the measured client runs as that user then), the provider host's peak RSS, and the CPU seconds of the
 * client's process tree, the ground and the machine (cpu.ts). The floor of RSS and state is a no-op dynamic
 * provider (tests/bench/programs/noop) at 1 and N resources; our host is also measured at N = 1, beside a bare
 * node process importing @kubernetes/client-node (the library the provider must use). The no-op's `pulumi up`
 * at N, at each parallelism ours runs at, is the engine's own wall and CPU for N resources. Before the
 * baseline, the ground's CPU at rest is read over a quiet window, so each run's ground CPU can be split into
 * background and the work the run caused.
 */
import { MEASURED_USER } from "./audit-policy";
import { peakWatches, requestsByVerb } from "./audit-queries";
import type { BenchContext } from "./bench-ground";
import { runBaseline } from "./baseline";
import { measureClientNodeFloor, type ClientNodeFloor } from "./client-node-floor";
import {
  groundProcesses,
  measureGroundRest,
  withCpu,
  type CpuFigures,
  type GroundProcess,
  type GroundRest,
} from "./cpu";
import { KUBECONFIG_KEY } from "./peers/provider-peer";
import { benchProject, type TimedRun } from "./pulumi-project";
import { stateSize, type StateSize } from "./state-size";
import { deleteAllSnapshots, SNAPSHOTS } from "./snapshots";
import { benchNamespace, createVms } from "./vms";

/** The figures of one timed run. */
export interface RunFigures {
  wallS: number;
  /** How many snapshots the run took or removed: the per-snapshot figures divide by it. */
  snapshots: number;
  /** kvsnap-user's requests during the run, by verb. */
  requests: Record<string, number>;
  peakWatches: number;
  /** The provider host's peak RSS, MB (CLI runs only). */
  hostPeakMb?: number;
  /** The update part as the CLI reports it ("Duration: …"), CLI runs only. */
  cliDuration?: string;
  /** CPU seconds during the run. */
  cpu: CpuFigures;
  /** CPU seconds of the provider host, as sampled (CLI runs only). */
  hostCpuS?: number;
  /** What went wrong when the run failed (the figures are still of that run). */
  failed?: string;
}

/** The no-op dynamic provider's `pulumi up` of N resources at one parallelism. */
export interface NoopUp {
  wallS: number;
  cpu: CpuFigures;
  hostCpuS: number;
}

/** One `pulumi up` + `pulumi destroy` at a parallelism, and the no-op's up at the same. */
export interface PulumiScaleRun {
  parallel: number;
  up: RunFigures;
  destroy: RunFigures;
  noopUp: NoopUp;
}

/** Everything the phase measured. */
export interface ScaleResult {
  count: number;
  namespaces: number;
  baseline: { up: RunFigures; destroy: RunFigures };
  runs: PulumiScaleRun[];
  /** The ground's CPU at rest, read in a quiet window right before the baseline. */
  groundRest: GroundRest;
  /** Our host's peak RSS with one snapshot, MB. */
  oursOneMb: number;
  /** A bare node process importing @kubernetes/client-node, and one without (measured after ours at N = 1). */
  clientNode: ClientNodeFloor;
  /** The no-op host's peak RSS with 1 and N resources, MB. */
  noopOneMb: number;
  noopManyMb: number;
  state: StateSize;
  noopState: StateSize;
}

/** Pulumi's default --parallel on this machine (4 per core, as `pulumi up --help` says). */
export const DEFAULT_PARALLEL = 8;

function figures(
  ctx: BenchContext,
  run: { start: number; end: number },
  snapshots: number,
  cpu: CpuFigures,
): RunFigures {
  return {
    cpu,
    wallS: (run.end - run.start) / 1000,
    snapshots,
    requests: requestsByVerb(ctx.audit, MEASURED_USER, run.start, run.end),
    peakWatches: peakWatches(ctx.audit, MEASURED_USER, run.start, run.end),
  };
}

function cliFigures(
  ctx: BenchContext,
  timed: { result: TimedRun; cpu: CpuFigures },
  snapshots: number,
): RunFigures {
  const run = timed.result;
  const duration = /Duration: (\S+)/.exec(run.stdout)?.[1];
  return {
    ...figures(ctx, run, snapshots, timed.cpu),
    hostPeakMb: run.hostPeakMb,
    hostCpuS: run.hostCpuS,
    ...(duration ? { cliDuration: duration } : {}),
    ...(run.failed ? { failed: run.failed } : {}),
  };
}

function namespaceNames(ctx: BenchContext): string[] {
  return Array.from({ length: ctx.plan.namespaces }, (_, j) => `bench-s${j}`);
}

async function createScaleVms(ctx: BenchContext, namespaces: string[]): Promise<void> {
  for (const [j, namespace] of namespaces.entries()) {
    await benchNamespace(ctx.a, namespace, ctx.userKubeconfig);
    const names = [];
    for (let i = j; i < ctx.plan.scaleCount; i += namespaces.length) names.push(`vm-${i}`);
    await createVms(ctx.a, namespace, names);
  }
}

/** How many snapshots are left in the namespaces (after a destroy: none, unless it failed). */
async function leftCount(ctx: BenchContext, namespaces: string[]): Promise<number> {
  let left = 0;
  for (const namespace of namespaces) {
    const list = (await ctx.a.custom.listNamespacedCustomObject({ ...SNAPSHOTS, namespace })) as {
      items: unknown[];
    };
    left += list.items.length;
  }
  return left;
}

async function measureBaseline(
  ctx: BenchContext,
  namespaces: string[],
  ground: readonly GroundProcess[],
): Promise<ScaleResult["baseline"]> {
  const n = ctx.plan.scaleCount;
  const timed = async (mode: "create" | "delete") => {
    const { result, cpu } = await withCpu(ground, () => runBaseline(mode, ctx.userKubeconfig, n, namespaces));
    return figures(ctx, result, n, cpu);
  };
  const up = await timed("create");
  const destroy = await timed("delete");
  return { up, destroy };
}

/** One project of the scale program with `count` snapshots. */
function scaleProject(ctx: BenchContext, namespaces: string[], count: number) {
  return benchProject(
    ctx.tools.pulumiBin,
    "scale",
    { count: String(count), namespaces: JSON.stringify(namespaces) },
    { [KUBECONFIG_KEY]: ctx.userKubeconfig },
  );
}

async function pulumiRun(
  ctx: BenchContext,
  namespaces: string[],
  parallel: number,
  ground: readonly GroundProcess[],
): Promise<Omit<PulumiScaleRun, "noopUp"> & { state: StateSize }> {
  const project = await scaleProject(ctx, namespaces, ctx.plan.scaleCount);
  try {
    const upArgs = ["up", "--yes", "--parallel", String(parallel)];
    const upRun = await withCpu(ground, () => project.run(upArgs, true));
    const exported = (await project.run(["stack", "export"])).stdout;
    const state = stateSize(exported, "pulumi-nodejs:dynamic/kubevirt-snapshot:VMSnapshot");
    const up = cliFigures(ctx, upRun, state.resources);
    const destroyArgs = ["destroy", "--yes", "--parallel", String(parallel)];
    const destroy = cliFigures(
      ctx,
      await withCpu(ground, () => project.run(destroyArgs, true)),
      state.resources,
    );
    const left = await leftCount(ctx, namespaces);
    if (left) destroy.failed = `${destroy.failed ?? "exit 0"}; ${left} snapshots left, deleted by the bench`;
    for (const namespace of namespaces) await deleteAllSnapshots(ctx.a, namespace);
    return { parallel, up, destroy, state };
  } finally {
    project.remove();
  }
}

async function oursAtOne(ctx: BenchContext, namespaces: string[]): Promise<number> {
  const project = await scaleProject(ctx, namespaces, 1);
  try {
    const up = await project.run(["up", "--yes"], true);
    await project.run(["destroy", "--yes"], true);
    return up.hostPeakMb;
  } finally {
    project.remove();
  }
}

/** The no-op program's `pulumi up` of `count` resources at `parallel`: its wall, CPU, host memory, state. */
async function noopRun(
  ctx: BenchContext,
  count: number,
  parallel: number,
  ground: readonly GroundProcess[],
): Promise<NoopUp & { peakMb: number; state: StateSize }> {
  const project = await benchProject(ctx.tools.pulumiBin, "noop", { count: String(count) });
  try {
    const { result: up, cpu } = await withCpu(ground, () =>
      project.run(["up", "--yes", "--parallel", String(parallel)]),
    );
    const exported = (await project.run(["stack", "export"])).stdout;
    return {
      wallS: (up.end - up.start) / 1000,
      cpu,
      hostCpuS: up.hostCpuS,
      peakMb: up.hostPeakMb,
      state: stateSize(exported, "pulumi-nodejs:dynamic:Resource"),
    };
  } finally {
    project.remove();
  }
}

/** Runs the phase. */
export async function measureScale(ctx: BenchContext): Promise<ScaleResult> {
  const namespaces = namespaceNames(ctx);
  await createScaleVms(ctx, namespaces);
  const ground = groundProcesses(ctx);
  const n = ctx.plan.scaleCount;
  const groundRest = await measureGroundRest(ground, ctx.plan.restWindowS);
  console.log(
    `[bench] scale: ground at rest ${groundRest.cores.toFixed(3)} cores over ${groundRest.windowS.toFixed(1)} s`,
  );
  const baseline = await measureBaseline(ctx, namespaces, ground);
  const parallels = [DEFAULT_PARALLEL, ...(n > DEFAULT_PARALLEL ? [n] : [])];
  const runs: (Omit<PulumiScaleRun, "noopUp"> & { state: StateSize })[] = [];
  for (const parallel of parallels) {
    runs.push(await pulumiRun(ctx, namespaces, parallel, ground));
    console.log(`[bench] scale: pulumi up/destroy of ${n} at --parallel ${parallel} done`);
  }
  const oursOneMb = await oursAtOne(ctx, namespaces);
  const clientNode = await measureClientNodeFloor(ctx.plan.coldSamples);
  const noopOne = await noopRun(ctx, 1, DEFAULT_PARALLEL, ground);
  // At each parallelism ours ran at; the last (max(8, N), as before) gives the memory and state floor.
  const noopMany: (NoopUp & { peakMb: number; state: StateSize })[] = [];
  for (const parallel of parallels) noopMany.push(await noopRun(ctx, n, parallel, ground));
  const noopLast = noopMany[noopMany.length - 1]!;
  for (const namespace of namespaces) await deleteAllSnapshots(ctx.a, namespace);
  return {
    count: n,
    namespaces: namespaces.length,
    baseline,
    groundRest,
    runs: runs.map((run, i) => ({ ...run, noopUp: noopMany[i]! })),
    oursOneMb,
    clientNode,
    noopOneMb: noopOne.peakMb,
    noopManyMb: noopLast.peakMb,
    state: runs[0]!.state,
    noopState: noopLast.state,
  };
}
