/**
 * Samples the peak resident memory (VmHWM in /proc/<pid>/status) of the dynamic-provider host processes the
 * Pulumi engine starts in a program directory, every 100 ms while a command runs, and their CPU time
 * (utime + stime in /proc/<pid>/stat, the last seen, so up to 100 ms short of a host's total). Linux only.
 */
import { readdirSync, readFileSync, readlinkSync, realpathSync } from "node:fs";
import { procStat, TICKS } from "./cpu";

/** A running sampler; `stop()` returns the largest VmHWM seen per host pid, in MB. */
export interface RssSampler {
  stop(): Map<number, number>;
  /** The CPU seconds of every host seen, summed (as last sampled). */
  cpuSeconds(): number;
}

function isHostIn(pid: string, dir: string): boolean {
  try {
    if (readlinkSync(`/proc/${pid}/cwd`) !== dir) return false;
    // The host itself, not the launcher's short-lived `node -e require.resolve(".../dynamic-provider")`.
    const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    return !argv.includes("-e") && argv.some((arg) => arg.includes("dynamic-provider"));
  } catch {
    return false; // gone, or not ours to read
  }
}

function peakMb(pid: string): number | undefined {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Starts sampling the hosts whose working directory is `dir`. */
export function sampleHostRss(dir: string, everyMs = 100): RssSampler {
  const target = realpathSync(dir);
  const peaks = new Map<number, number>();
  const ticks = new Map<number, number>();
  const sample = () => {
    for (const pid of readdirSync("/proc")) {
      if (!/^\d+$/.test(pid) || !isHostIn(pid, target)) continue;
      const mb = peakMb(pid);
      if (mb !== undefined) peaks.set(Number(pid), Math.max(mb, peaks.get(Number(pid)) ?? 0));
      const stat = procStat(Number(pid));
      if (stat) ticks.set(Number(pid), stat.utime + stat.stime);
    }
  };
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return peaks;
    },
    cpuSeconds: () => [...ticks.values()].reduce((a, b) => a + b, 0) / TICKS,
  };
}

/** The largest peak among the sampled hosts (MB), NaN when none was seen. */
export function largestPeak(peaks: ReadonlyMap<number, number>): number {
  return peaks.size ? Math.max(...peaks.values()) : Number.NaN;
}
