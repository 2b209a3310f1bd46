/**
 * One way to lay out a Pulumi program of this repository for the real CLI, shared by the e2e tests, the
 * demo and the playground: the example's files copied into a directory of its own, a node_modules whose
 * packages link to this repository's (as `npm install` of the example's `file:../..` dependency would), and
 * a backend, PULUMI_HOME and passphrase that live beside it. Nothing is ever written into the repository
 * (its node_modules belongs to npm), so the commands that use this can run in any order.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync } from "node:fs";
import { dirname, join } from "node:path";

/** This package's name, as a program imports it. */
export const PACKAGE_NAME = "pulumi-kubevirt-snapshot";

/** The repository root: the nearest directory up with this package's package.json (works from dist/ too). */
function findRepo(start: string): string {
  for (let dir = start; dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (
      existsSync(manifest) &&
      (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === PACKAGE_NAME
    )
      return dir;
  }
  throw new Error(`no ${PACKAGE_NAME} package.json above ${start}`);
}

/** Repository root. */
export const REPO = findRepo(__dirname);

/**
 * Links every package of the repository's node_modules into `target`, except this package itself (an older
 * demo may have left a self-link there; the program's own link is made by {@link materializeProgram}).
 */
function linkNodeModules(target: string): void {
  mkdirSync(target);
  const source = join(REPO, "node_modules");
  for (const entry of readdirSync(source)) {
    if (entry.startsWith(".") || entry === PACKAGE_NAME) continue;
    if (entry.startsWith("@")) {
      mkdirSync(join(target, entry));
      for (const scoped of readdirSync(join(source, entry)))
        symlinkSync(join(source, entry, scoped), join(target, entry, scoped), "dir");
    } else {
      symlinkSync(join(source, entry), join(target, entry), "dir");
    }
  }
}

/**
 * Copies `examples/<example>` to `dir` (which must not exist) with a node_modules of links; the program's
 * `pulumi-kubevirt-snapshot` links to `packageDir` (this repository by default). Returns that link's path.
 * An `example` with a slash is a directory relative to the repository root instead (a test's own program,
 * e.g. `tests/e2e/programs/faults`).
 */
export function materializeProgram(example: string, dir: string, packageDir: string = REPO): string {
  cpSync(example.includes("/") ? join(REPO, example) : join(REPO, "examples", example), dir, {
    recursive: true,
    filter: (src) => !src.includes("node_modules"),
  });
  linkNodeModules(join(dir, "node_modules"));
  const link = join(dir, "node_modules", PACKAGE_NAME);
  symlinkSync(packageDir, link, "dir");
  return link;
}

/**
 * The environment the Pulumi CLI runs with, fully offline: the CLI in `bin` first on PATH, a file backend
 * in `<root>/state`, PULUMI_HOME in `<root>/pulumi-home`, a passphrase, no update checks or plugin downloads,
 * and a KUBECONFIG that does not exist (the kubeconfig comes from stack config only).
 */
export function pulumiEnv(bin: string, root: string, passphrase: string): NodeJS.ProcessEnv {
  mkdirSync(join(root, "state"), { recursive: true });
  return {
    PATH: [bin, dirname(process.execPath), process.env["PATH"] ?? ""].join(":"),
    HOME: root,
    PULUMI_HOME: join(root, "pulumi-home"),
    PULUMI_BACKEND_URL: `file://${join(root, "state")}`,
    PULUMI_CONFIG_PASSPHRASE: passphrase,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_SKIP_CONFIRMATIONS: "true",
    KUBECONFIG: join(root, "no-kubeconfig"),
  };
}
