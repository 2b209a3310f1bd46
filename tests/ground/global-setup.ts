/**
 * Jest global setup of the integration suite: builds (or reuses) the control-plane binary and compiles the
 * simulator, printing how long each took. Each test file then starts its own ground.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { BINARY_ENV, REPO } from "./ground";

function timed<T>(what: string, run: () => T): T {
  const start = Date.now();
  const result = run();
  console.log(`\n[ground] ${what}: ${((Date.now() - start) / 1000).toFixed(1)} s`);
  return result;
}

export default function globalSetup(): void {
  const preset = process.env[BINARY_ENV];
  if (preset) {
    console.log(`\n[ground] using the control plane binary from $${BINARY_ENV}: ${preset}`);
  }
  const binary =
    preset ??
    timed("control plane build (tests/cluster/build.sh)", () =>
      execFileSync("bash", [join(REPO, "tests", "cluster", "build.sh")], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
      })
        .trim()
        .split("\n")
        .pop(),
    );
  if (!binary) throw new Error("tests/cluster/build.sh printed no binary path");
  process.env[BINARY_ENV] = binary;
  timed("simulator compile", () =>
    execFileSync(
      process.execPath,
      [join(REPO, "node_modules", "typescript", "bin", "tsc"), "-p", join(REPO, "tsconfig.tools.json")],
      { stdio: "inherit" },
    ),
  );
}
