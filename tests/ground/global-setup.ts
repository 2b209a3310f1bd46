/**
 * Jest global setup of the integration suite: builds (or reuses) the control-plane binary and the KubeVirt
 * binary of the version asked for (KVSNAP_KUBEVIRT_VERSION, default v1.9.0), and compiles the stand-ins,
 * printing how long each took. Each test file then starts its own ground.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { BINARY_ENV, KUBEVIRT_BINARY_ENV, kubevirtVersion, REPO } from "./ground";

/** Set when the stand-ins were compiled before jest started (suites run side by side must not recompile). */
export const TOOLS_COMPILED_ENV = "KVSNAP_TOOLS_COMPILED";

function timed<T>(what: string, run: () => T): T {
  const start = Date.now();
  const result = run();
  console.log(`\n[ground] ${what}: ${((Date.now() - start) / 1000).toFixed(1)} s`);
  return result;
}

/** Runs a build script and returns the last line it printed (the binary's path). */
export function buildBinary(script: string, ...args: string[]): string {
  const path = execFileSync("bash", [join(REPO, script), ...args], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  })
    .trim()
    .split("\n")
    .pop();
  if (!path) throw new Error(`${script} printed no binary path`);
  return path;
}

/** Builds or reuses a binary unless its environment variable already names one. */
function binary(env: string, what: string, script: string, ...args: string[]): void {
  const preset = process.env[env];
  if (preset) console.log(`\n[ground] using the ${what} binary from $${env}: ${preset}`);
  else
    process.env[env] = timed(`${what} build (${script} ${args.join(" ")})`, () =>
      buildBinary(script, ...args),
    );
}

export default function globalSetup(): void {
  binary(BINARY_ENV, "control plane", "tests/cluster/build.sh");
  binary(KUBEVIRT_BINARY_ENV, `KubeVirt ${kubevirtVersion()}`, "tests/kubevirt/build.sh", kubevirtVersion());
  // A runner that starts several suites at once compiles the stand-ins once beforehand and says so here.
  if (process.env[TOOLS_COMPILED_ENV]) {
    console.log(`\n[ground] stand-ins already compiled ($${TOOLS_COMPILED_ENV} is set)`);
    return;
  }
  timed("stand-ins compile", () =>
    execFileSync(
      process.execPath,
      [join(REPO, "node_modules", "typescript", "bin", "tsc"), "-p", join(REPO, "tsconfig.tools.json")],
      { stdio: "inherit" },
    ),
  );
}
