/** Runs the plain-client baseline (baseline-main.ts) as a child process, timed like a CLI run. */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { wallNow } from "./clock";

/** One baseline run's start and end (epoch ms, bench clock). */
export interface BaselineRun {
  start: number;
  end: number;
}

/** Creates (or deletes) `count` snapshots over `namespaces` as kubeconfig's user, and waits for them. */
export async function runBaseline(
  mode: "create" | "delete",
  kubeconfig: string,
  count: number,
  namespaces: readonly string[],
): Promise<BaselineRun> {
  const dir = mkdtempSync(join(tmpdir(), "kvsnap-bench-baseline-"));
  const file = join(dir, "kubeconfig");
  writeFileSync(file, kubeconfig);
  const start = wallNow();
  try {
    await new Promise<void>((resolve, reject) =>
      execFile(
        process.execPath,
        [join(__dirname, "baseline-main.js"), mode, file, String(count), namespaces.join(",")],
        { env: { PATH: process.env["PATH"] ?? "", HOME: dir } },
        (error, _stdout, stderr) => (error ? reject(new Error(`baseline ${mode}: ${stderr}`)) : resolve()),
      ),
    );
    return { start, end: wallNow() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
