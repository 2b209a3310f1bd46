/**
 * The real Pulumi CLI (built by tests/pulumi-tools/build.sh) run fully offline against a program: a file
 * backend and PULUMI_HOME in a temporary directory, a passphrase, no update checks, no plugin downloads.
 * A program directory gets the example's files and a node_modules whose packages link to this
 * repository's (this package included), as `npm install` of the example's `file:` dependency would.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { materializeProgram, pulumiEnv } from "../support/project";

export { REPO } from "../support/project";
/** Where the global setup records the Pulumi tools' bin dir. */
export const PULUMI_BIN_ENV = "KVSNAP_PULUMI_BIN";

/** The result of one CLI run. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A Pulumi project in a temporary directory with its own backend and PULUMI_HOME. */
export interface PulumiProject {
  dir: string;
  /** The environment the CLI runs with (backend, PULUMI_HOME, passphrase, PATH with the CLI first). */
  env: NodeJS.ProcessEnv;
  /** Runs `pulumi <args>` in the project; resolves with the exit code (never rejects on failure). */
  run(args: string[], input?: string): Promise<RunResult>;
  /** Runs and fails the test on a non-zero exit, showing the output. */
  ok(args: string[]): Promise<RunResult>;
  /** Points the program's `pulumi-kubevirt-snapshot` at another build of the package. */
  usePackage(path: string): void;
  remove(): void;
}

/** Copies an example into a fresh project directory, links node_modules, and creates stack `dev`. */
export async function createProject(
  example: string,
  kubeconfigText: string,
  config: Record<string, string> = {},
): Promise<PulumiProject> {
  const bin = process.env[PULUMI_BIN_ENV];
  if (!bin)
    throw new Error(
      `${PULUMI_BIN_ENV} is not set: run the e2e tests through jest (its global setup builds the CLI)`,
    );
  const root = mkdtempSync(join(tmpdir(), "kvsnap-e2e-"));
  const dir = join(root, "program");
  const pkgLink = materializeProgram(example, dir);
  const env = pulumiEnv(bin, root, "e2e-passphrase");
  const run = (args: string[], input?: string): Promise<RunResult> =>
    new Promise((resolvePromise) => {
      const child = execFile(
        join(bin, "pulumi"),
        ["--non-interactive", ...args],
        { cwd: dir, env, maxBuffer: 64 * 1024 * 1024 },
        (error, stdout, stderr) =>
          resolvePromise({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
      if (input !== undefined) child.stdin?.end(input);
    });
  const ok = async (args: string[]): Promise<RunResult> => {
    const result = await run(args);
    if (result.code !== 0)
      throw new Error(`pulumi ${args.join(" ")} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
    return result;
  };
  await ok(["stack", "init", "dev"]);
  await ok(["config", "set", "--secret", "pulumi-kubevirt-snapshot:kubeconfig", "--", kubeconfigText]);
  for (const [key, value] of Object.entries(config)) await ok(["config", "set", key, "--", value]);
  return {
    dir,
    env,
    run,
    ok,
    usePackage(path: string) {
      rmSync(pkgLink);
      symlinkSync(path, pkgLink, "dir");
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** The resources of `pulumi stack export`, by type. */
export async function exportedResources(
  project: PulumiProject,
  showSecrets = true,
): Promise<{ deployment: { resources?: Record<string, any>[] } }> {
  const { stdout } = await project.ok(["stack", "export", ...(showSecrets ? ["--show-secrets"] : [])]);
  return JSON.parse(stdout) as { deployment: { resources?: Record<string, any>[] } };
}
