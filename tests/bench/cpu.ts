/**
 * CPU seconds around one timed run of phase 3, so a wall time can be read against the CPU it took on a small
 * machine. Linux only; all from /proc:
 * - the measured client's process tree: the run's client (pulumi, or the baseline's node) is a child of the
 *   bench; once it exits and is reaped, its CPU and that of the descendants it reaped (language host, program,
 *   provider host) is added to the bench's cutime + cstime (/proc/self/stat fields 16, 17). The delta over the
 *   run is the tree's CPU, provided no other child of the bench exits during the run (the ground's processes
 *   are children too, but run for the whole bench; no peer runs in phase 3);
 * - the ground's long-running processes (kube-apiserver with its embedded etcd, KubeVirt's controllers and
 *   webhooks, the stand-ins): the bench's children whose command line names the ground's data directory,
 *   utime + stime (+ their reaped children) of each;
 * - the bench's own process (audit log follower, memory sampler): utime + stime of /proc/self/stat;
 * - the machine: busy time from /proc/stat's first line (everything but idle and iowait), over all cores.
 * The ground's rate at rest (a quiet window with nothing run against it) tells the work a run caused in the
 * ground (its CPU above that rate over the run's wall) from its background (controllers' resyncs, leases).
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { cpus } from "node:os";
import { basename } from "node:path";
import type { BenchContext } from "./bench-ground";
import { sleep, wallNow } from "./clock";

/** Clock ticks per second of /proc's times (`getconf CLK_TCK`, 100 on Linux). */
export const TICKS = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** The fields of /proc/<pid>/stat the bench reads, in ticks. */
interface ProcStat {
  ppid: number;
  utime: number;
  stime: number;
  cutime: number;
  cstime: number;
}

/** /proc/<pid>/stat, or undefined when the process is gone. */
export function procStat(pid: number | "self"): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // After "pid (comm) " come the fields from 3 (state) on; comm may hold spaces and parentheses.
  const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const at = (field: number) => Number(f[field - 3]);
  return { ppid: at(4), utime: at(14), stime: at(15), cutime: at(16), cstime: at(17) };
}

/** A process's own CPU time and that of the children it reaped, in ticks (0 once gone). */
function ownAndReaped(pid: number): number {
  const s = procStat(pid);
  return s ? s.utime + s.stime + s.cutime + s.cstime : 0;
}

/** One long-running process of the ground. */
export interface GroundProcess {
  pid: number;
  label: string;
}

/** The ground's processes: children of the bench whose command line names the ground's data directory. */
export function groundProcesses(ctx: BenchContext): GroundProcess[] {
  const found: GroundProcess[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (procStat(pid)?.ppid !== process.pid) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    } catch {
      continue;
    }
    if (!argv.some((arg) => arg.includes(ctx.ground.dataDir))) continue;
    const label =
      argv[0] === ctx.tools.cluster
        ? "kube-apiserver + etcd"
        : argv[0] === ctx.tools.kubevirt
          ? "KubeVirt"
          : argv.some((arg) => arg.includes("standins"))
            ? "stand-ins"
            : basename(argv[0] ?? "?");
    found.push({ pid, label });
  }
  return found;
}

/** Busy and total ticks of the whole machine (/proc/stat's "cpu" line). */
function machineTicks(): { busy: number; total: number } {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const busy = (user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0);
  return { busy, total: busy + (idle ?? 0) + (iowait ?? 0) };
}

/** The CPU seconds of one run. */
export interface CpuFigures {
  wallS: number;
  /** The measured client's process tree (reaped children of the bench). */
  clientS: number;
  /** The ground's processes, total and by process label. */
  groundS: number;
  ground: Record<string, number>;
  /** The bench's own process. */
  benchS: number;
  /** Busy CPU seconds of the whole machine, and its share of cores × wall. */
  machineBusyS: number;
  machineBusyShare: number;
  cores: number;
}

interface Reading {
  at: number;
  reaped: number;
  bench: number;
  ground: number[];
  machine: { busy: number; total: number };
}

function read(ground: readonly GroundProcess[]): Reading {
  const self = procStat("self");
  return {
    at: wallNow(),
    reaped: self ? self.cutime + self.cstime : Number.NaN,
    bench: self ? self.utime + self.stime : Number.NaN,
    ground: ground.map((p) => ownAndReaped(p.pid)),
    machine: machineTicks(),
  };
}

/** Reads the counters now; `stop()` reads them again and returns the deltas in seconds. */
export function startCpuProbe(ground: readonly GroundProcess[]): { stop(): CpuFigures } {
  const before = read(ground);
  return {
    stop() {
      const after = read(ground);
      const byLabel: Record<string, number> = {};
      ground.forEach((p, i) => {
        byLabel[p.label] =
          (byLabel[p.label] ?? 0) + ((after.ground[i] ?? 0) - (before.ground[i] ?? 0)) / TICKS;
      });
      const busy = after.machine.busy - before.machine.busy;
      const total = after.machine.total - before.machine.total;
      return {
        wallS: (after.at - before.at) / 1000,
        clientS: (after.reaped - before.reaped) / TICKS,
        groundS: Object.values(byLabel).reduce((a, b) => a + b, 0),
        ground: byLabel,
        benchS: (after.bench - before.bench) / TICKS,
        machineBusyS: busy / TICKS,
        machineBusyShare: total > 0 ? busy / total : Number.NaN,
        cores: cpus().length,
      };
    },
  };
}

/** Runs `work` between two readings. */
export async function withCpu<T>(
  ground: readonly GroundProcess[],
  work: () => Promise<T>,
): Promise<{ result: T; cpu: CpuFigures }> {
  const probe = startCpuProbe(ground);
  const result = await work();
  return { result, cpu: probe.stop() };
}

/** The ground's CPU with nothing running against it: its background rate, in cores (CPU-s per s). */
export interface GroundRest {
  windowS: number;
  /** All of the ground's processes. */
  cores: number;
  /** By process label. */
  byLabel: Record<string, number>;
}

/** Reads the ground's CPU over a quiet window of `windowS` seconds, in which the caller runs nothing. */
export async function measureGroundRest(
  ground: readonly GroundProcess[],
  windowS: number,
): Promise<GroundRest> {
  const probe = startCpuProbe(ground);
  await sleep(windowS * 1000);
  const cpu = probe.stop();
  const byLabel: Record<string, number> = {};
  for (const [label, seconds] of Object.entries(cpu.ground)) byLabel[label] = seconds / cpu.wallS;
  return { windowS: cpu.wallS, cores: cpu.groundS / cpu.wallS, byLabel };
}

/** The ground's CPU seconds of a run above its rest rate over the run's wall: the work the run caused. */
export function groundAboveRest(cpu: CpuFigures, rest: GroundRest): number {
  return cpu.groundS - rest.cores * cpu.wallS;
}
