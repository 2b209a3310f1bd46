/**
 * `npm run bench` (full) and `npm run bench:ci` (short): builds or reuses the tools, starts one ground with
 * auditing on, measures the five things of issue 11 against their peers and floors on it, and prints one
 * markdown table. It asserts nothing about the figures; it exits 1 only when a phase could not run.
 */
import { cpus, loadavg } from "node:os";
import { startBenchGround, type BenchContext } from "./bench-ground";
import { clockDriftMs, wallNow } from "./clock";
import { measureColdStart } from "./coldstart";
import { measureDetection } from "./detection";
import { measureFailFast } from "./failfast";
import { findKubernetesPlugin } from "./kubernetes-plugin";
import { startPeers } from "./peers/peer-set";
import { planFromArgs, type BenchPlan } from "./plan";
import { coldRows } from "./rows-cold";
import { detectionRows, failFastRows } from "./rows-latency";
import { scaleRows } from "./rows-scale";
import { measureScale } from "./scale";
import { failedRow, renderTable, type Row } from "./table";
import { buildTools } from "./tools";

/** How long each step took, for the report. */
const timings: string[] = [];

async function timed<T>(what: string, work: () => Promise<T> | T): Promise<T> {
  console.log(`[bench] ${what} ...`);
  const start = wallNow();
  try {
    return await work();
  } finally {
    const s = ((wallNow() - start) / 1000).toFixed(1);
    timings.push(`${what}: ${s} s`);
    console.log(`[bench] ${what}: ${s} s`);
  }
}

/** Runs one phase into rows; a phase that throws becomes an error row (and a failed run). */
async function phase(
  rows: Row[],
  failures: string[],
  what: string,
  work: () => Promise<Row[]>,
): Promise<void> {
  try {
    rows.push(...(await timed(what, work)));
  } catch (error) {
    console.error(`[bench] ${what} failed:`, error);
    failures.push(what);
    rows.push(failedRow(what, error));
  }
}

async function measureAll(ctx: BenchContext, rows: Row[], failures: string[]): Promise<void> {
  const { phases } = ctx.plan;
  if (phases.has(1) || phases.has(2)) {
    const peers = await timed("start the waiters", () => startPeers(ctx));
    try {
      if (phases.has(1))
        await phase(rows, failures, "1. detection latency", async () =>
          detectionRows(await measureDetection(ctx, peers.peers, peers.unavailable)),
        );
      if (phases.has(2))
        await phase(rows, failures, "2. fail-fast", async () =>
          failFastRows(await measureFailFast(ctx, peers.peers, peers.unavailable), ctx.plan.failTimeoutS),
        );
    } finally {
      await peers.close();
    }
  }
  if (phases.has(3))
    await phase(rows, failures, "3+4. scale, destroy, requests, memory, state", async () =>
      scaleRows(await measureScale(ctx)),
    );
  if (phases.has(5))
    await phase(rows, failures, "5. cold start", async () => {
      const { ours, noop, clientNode } = await measureColdStart(ctx);
      return coldRows(ours, noop, clientNode);
    });
}

/** The apiserver's version, as it reports it. */
async function serverVersion(ctx: BenchContext): Promise<string> {
  const version = await ctx.a.kc.makeApiClient(ctx.a.lib.VersionApi).getCode();
  return version.gitVersion;
}

function header(plan: BenchPlan, ctx: BenchContext, kubernetesVersion: string): string {
  const plugin = findKubernetesPlugin();
  return [
    `## pulumi-kubevirt-snapshot bench (${plan.name} run, ${new Date().toISOString()})`,
    "",
    ...(process.env["KVSNAP_BENCH_LABEL"] ? [`Measured: ${process.env["KVSNAP_BENCH_LABEL"]}.`, ""] : []),
    `Ground: kube-apiserver + etcd ${kubernetesVersion}, KubeVirt ${ctx.ground.kubevirtVersion ?? "?"} controllers and webhooks, the stand-ins; ` +
      `${cpus().length} cores, load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(" ")}. ` +
      (plan.phases.size < 5 ? `Phases run: ${[...plan.phases].sort().join(", ")} (--only). ` : "") +
      `Samples: detection ${plan.detectionSamples} per waiter, fail-fast ${plan.failSamples}, scale N = ${plan.scaleCount} over ${plan.namespaces} namespaces, cold start ${plan.coldSamples}. ` +
      `kubernetes plugin: ${"missing" in plugin ? "not available" : plugin.version}.`,
    "",
  ].join("\n");
}

/** Stops the ground on Ctrl-C or SIGTERM (only what this run started), then exits. */
function stopOnSignal(ctx: BenchContext): void {
  const stop = (signal: string) => {
    console.error(`[bench] ${signal}: stopping the ground`);
    void ctx.stop().finally(() => process.exit(130));
  };
  process.once("SIGINT", () => stop("SIGINT"));
  process.once("SIGTERM", () => stop("SIGTERM"));
}

async function main(): Promise<void> {
  const plan = planFromArgs(process.argv.slice(2));
  const started = wallNow();
  const tools = await timed("tools: build or reuse", buildTools);
  const ctx = await timed("ground: start with auditing on", () => startBenchGround(plan, tools));
  stopOnSignal(ctx);
  const rows: Row[] = [];
  const failures: string[] = [];
  let kubernetesVersion = "?";
  try {
    kubernetesVersion = await serverVersion(ctx);
    await measureAll(ctx, rows, failures);
  } finally {
    await ctx.stop();
  }
  console.log(`\n${header(plan, ctx, kubernetesVersion)}\n${renderTable(rows)}\n`);
  console.log(
    `Steps: ${timings.join("; ")}. Total ${((wallNow() - started) / 1000).toFixed(0)} s. Clock drift ${clockDriftMs().toFixed(2)} ms.`,
  );
  if (failures.length) {
    console.error(`[bench] phases that could not run: ${failures.join(", ")}`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
