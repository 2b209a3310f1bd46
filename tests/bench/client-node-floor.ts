/**
 * The floor of the library the provider must use: a bare Node process (the bench's own node binary, which is
 * the one the provider host runs on) that only imports `@kubernetes/client-node` as the host resolves it (from
 * the repository's node_modules) and reports its peak RSS (VmHWM in /proc/self/status) and how long the import
 * took; beside it the same bare process without the import. Linux only.
 */
import { execFile } from "node:child_process";
import { REPO } from "../support/project";
import { median } from "./stats";

/** One bare process's figures. */
interface BareSample {
  /** VmHWM at the end, MB. */
  peakMb: number;
  /** The import's duration, ms (0 without it). */
  importMs: number;
}

/** The figures of the floor, medians of its samples. */
export interface ClientNodeFloor {
  samples: number;
  /** Peak RSS of a bare node process, MB. */
  bareMb: number;
  /** Peak RSS of a bare node process after importing client-node, MB. */
  importMb: number;
  /** The import of client-node, ms. */
  importMs: number;
}

/** The child's program (an ES module run with `-e`; its imports resolve from its working directory). */
function script(withImport: boolean): string {
  return [
    'import { readFileSync } from "node:fs";',
    "const start = performance.now();",
    withImport ? 'await import("@kubernetes/client-node");' : "",
    "const importMs = performance.now() - start;",
    'const kb = Number(/^VmHWM:\\s+(\\d+) kB/m.exec(readFileSync("/proc/self/status", "utf8"))?.[1]);',
    "console.log(JSON.stringify({ peakMb: kb / 1024, importMs }));",
  ].join("\n");
}

function bareNode(withImport: boolean): Promise<BareSample> {
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      ["--input-type=module", "-e", script(withImport)],
      { cwd: REPO, env: { PATH: process.env["PATH"] ?? "", HOME: REPO } },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`bare node${withImport ? " importing client-node" : ""}: ${stderr}`));
        else resolve(JSON.parse(stdout) as BareSample);
      },
    ),
  );
}

/** One sample of each: the bare process, then the one importing client-node. */
export async function clientNodeSample(): Promise<{ bare: BareSample; imported: BareSample }> {
  const bare = await bareNode(false);
  const imported = await bareNode(true);
  return { bare, imported };
}

/** The medians of samples taken with {@link clientNodeSample}. */
export function clientNodeFloor(
  samples: readonly { bare: BareSample; imported: BareSample }[],
): ClientNodeFloor {
  return {
    samples: samples.length,
    bareMb: median(samples.map((s) => s.bare.peakMb)),
    importMb: median(samples.map((s) => s.imported.peakMb)),
    importMs: median(samples.map((s) => s.imported.importMs)),
  };
}

/** `count` samples in a row, and their medians. */
export async function measureClientNodeFloor(count: number): Promise<ClientNodeFloor> {
  const samples = [];
  for (let i = 0; i < Math.max(1, count); i++) samples.push(await clientNodeSample());
  return clientNodeFloor(samples);
}
