/**
 * A program of tests/bench/programs run with the real Pulumi CLI, offline (tests/support/project.ts): its
 * own directory, file backend, PULUMI_HOME and passphrase, stack `bench`, the kubeconfig as secret config.
 * Each run is timed and the dynamic-provider host's memory sampled.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { materializeProgram, pulumiEnv } from "../support/project";
import { wallNow } from "./clock";
import { largestPeak, sampleHostRss } from "./host-rss";

/** One timed CLI run. */
export interface TimedRun {
  stdout: string;
  /** Start and end (epoch ms, bench clock). */
  start: number;
  end: number;
  /** Peak VmHWM of the dynamic-provider host during the run, MB (NaN if none ran). */
  hostPeakMb: number;
  /** CPU seconds of the dynamic-provider hosts, as last sampled (up to 100 ms short); 0 if none ran. */
  hostCpuS: number;
  /** With `tolerate`, what a failed run's output says went wrong (its `error:` lines). */
  failed?: string;
}

/** A program set up with its stack. */
export interface BenchProject {
  dir: string;
  /** Runs `pulumi <args>`; rejects with the output on a non-zero exit unless `tolerate`. */
  run(args: string[], tolerate?: boolean): Promise<TimedRun>;
  remove(): void;
}

/** The CLI's output of one run, and its error when it exited non-zero. */
interface Output {
  stdout: string;
  error?: Error;
}

function exec(bin: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Output> {
  return new Promise((resolve) =>
    execFile(
      join(bin, "pulumi"),
      ["--non-interactive", ...args],
      { cwd, env, maxBuffer: 256 << 20 },
      (error, stdout, stderr) =>
        resolve(
          error
            ? {
                stdout,
                error: new Error(
                  `pulumi ${args.join(" ")}: ${error.message}\n${stdout.slice(-4000)}\n${stderr.slice(-4000)}`,
                ),
              }
            : { stdout },
        ),
    ),
  );
}

/** The `error:` lines of a failed run's output, less the summary "update failed", joined. */
export function errorLines(stdout: string): string {
  const lines = stdout
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.startsWith("error:") && line !== "error: update failed");
  return `${lines.length} error(s): ${lines.slice(0, 2).join(" / ")}`;
}

async function ok(output: Promise<Output>): Promise<string> {
  const { stdout, error } = await output;
  if (error) throw error;
  return stdout;
}

/** Lays out `tests/bench/programs/<program>`, creates stack `bench` and sets the config. */
export async function benchProject(
  pulumiBin: string,
  program: string,
  config: Record<string, string>,
  secretConfig: Record<string, string> = {},
): Promise<BenchProject> {
  const root = mkdtempSync(join(tmpdir(), `kvsnap-bench-${program}-`));
  const dir = join(root, "program");
  materializeProgram(`tests/bench/programs/${program}`, dir);
  const env = pulumiEnv(pulumiBin, root, "bench");
  const plain = (args: string[]) => ok(exec(pulumiBin, args, dir, env));
  await plain(["stack", "init", "bench"]);
  for (const [key, value] of Object.entries(secretConfig))
    await plain(["config", "set", "--secret", key, "--", value]);
  for (const [key, value] of Object.entries(config)) await plain(["config", "set", key, "--", value]);
  return {
    dir,
    async run(args, tolerate = false) {
      const sampler = sampleHostRss(dir);
      const start = wallNow();
      const { stdout, error } = await exec(pulumiBin, args, dir, env);
      const end = wallNow();
      const run = {
        stdout,
        start,
        end,
        hostPeakMb: largestPeak(sampler.stop()),
        hostCpuS: sampler.cpuSeconds(),
      };
      if (error && !tolerate) throw error;
      return error ? { ...run, failed: errorLines(stdout) } : run;
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}
