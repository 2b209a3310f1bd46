/**
 * Helpers of the e2e fault matrix (faults*.test.ts): a project of tests/e2e/programs/faults run by the real
 * Pulumi CLI, started so a test can signal it; the processes it runs, found through /proc (the ppid chain and
 * each command line), so the dynamic-provider host can be killed and checked gone; holds that keep a state
 * until the test lets it go (the `hold-ready` scenario, a test-owned finalizer, the program's gate file); a TCP
 * proxy in front of the apiserver that can be switched off; the accounting of the snapshots a resource owns
 * against what its state says; a cell (namespace, VM, project) interrupted by a signal and recovered as the
 * README says; and the matrix table the tests fill in.
 */
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer, type AddressInfo, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OWNER_HASH_LABEL } from "../../provider/core/constants";
import { ownerHash } from "../../provider/snapshot/ownership";
import { viaPort } from "../ground/cutting-proxy";
import {
  createNamespace,
  createVm,
  eventually,
  listIn,
  mergePatch,
  nothingLeft,
  vmReady,
  type Admin,
} from "../ground/fixtures";
import type { Ground } from "../ground/ground";
import { readyGround } from "../ground/suite";
import { materializeProgram, pulumiEnv } from "../support/project";
import { PULUMI_BIN_ENV, type RunResult } from "./pulumi";

/** The program every cell runs. */
export const PROGRAM = "tests/e2e/programs/faults";
/** The program's project name (a project may be renamed, see {@link faultProject}). */
export const PROJECT = "kubevirt-snapshot-faults";
/** The VMSnapshot's resource name in the program. */
export const RESOURCE = "faulted";
/** The finalizer a test puts on a snapshot to hold its deletion. */
export const HOLD_FINALIZER = "test.kvsnap.io/hold";
/** The VM scenario annotation that holds VolumeSnapshots before readyToUse (tests/cluster/README.md). */
export const HOLD_READY = "sim.kvsnap.io/hold-ready";
/** The provider host's entry, as it appears in its command line. */
const HOST_ENTRY = "@pulumi/pulumi/cmd/dynamic-provider";
const SNAPSHOTS = ["snapshot.kubevirt.io", "v1beta1", "virtualmachinesnapshots"] as const;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------------------
// Processes

/** One process as /proc shows it; `start` (clock ticks since boot) tells a reused pid apart. */
export interface Proc {
  pid: number;
  ppid: number;
  start: string;
  state: string;
  cmdline: string;
}

function readProc(pid: number): Proc | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name may hold spaces and parentheses: the fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ").trim();
    return { pid, ppid: Number(fields[1]), start: fields[19] ?? "", state: fields[0] ?? "", cmdline };
  } catch {
    return undefined;
  }
}

/** Every live process that descends from `root` (zombies left out). */
export function descendants(root: number): Proc[] {
  const all = readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .map((d) => readProc(Number(d)))
    .filter((p): p is Proc => p !== undefined && p.state !== "Z");
  const found: Proc[] = [];
  let frontier = new Set([root]);
  while (frontier.size) {
    const next = all.filter((p) => frontier.has(p.ppid));
    found.push(...next);
    frontier = new Set(next.map((p) => p.pid));
  }
  return found;
}

/** Whether the very process `p` (same pid and start time) still runs; a zombie counts as gone. */
export function alive(p: Proc): boolean {
  const now = readProc(p.pid);
  return now !== undefined && now.start === p.start && now.state !== "Z";
}

/** The dynamic-provider host among `root`'s descendants: node running @pulumi/pulumi/cmd/dynamic-provider. */
export function providerHosts(root: number): Proc[] {
  return descendants(root).filter((p) => p.cmdline.includes(HOST_ENTRY) && /(^|\/)node /.test(p.cmdline));
}

/** Waits until every process in `procs` is gone, up to `ms`; returns the ones still running. */
export async function goneWithin(procs: Proc[], ms: number): Promise<Proc[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const left = procs.filter(alive);
    if (!left.length || Date.now() > deadline) return left;
    await sleep(200);
  }
}

/** Ends processes this test started (through pulumi) that are still running, each by its pid. */
export function killLeft(procs: Proc[]): void {
  for (const p of procs.filter(alive)) {
    try {
      process.kill(p.pid, "SIGKILL");
    } catch {
      // gone in between
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// The CLI

/** A `pulumi` run started in the background. */
export interface Running {
  pid: number;
  /** stdout and stderr so far, interleaved as they came. */
  output(): string;
  /** Resolves once the output matches `pattern`; fails after `ms` or when pulumi exits first. */
  waitFor(pattern: RegExp, ms?: number): Promise<void>;
  /** Resolves when pulumi has exited (its children may live on). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>;
  /** Whether pulumi has exited. */
  hasExited(): boolean;
}

/** A project of the fault program in a temporary directory with its own file backend. */
export interface FaultProject {
  root: string;
  dir: string;
  /** `<project>/<stack>/<resource>`, the owner the provider writes on its snapshots. */
  owner: string;
  /** The file the gate waits for (config `gateFile`, when asked for). */
  gateFile: string;
  run(args: string[]): Promise<RunResult>;
  ok(args: string[]): Promise<RunResult>;
  start(args: string[]): Running;
  /** Lock files of the stack in the file backend (left by a pulumi killed hard). */
  locks(): string[];
  remove(): void;
}

function pulumiBin(): string {
  const bin = process.env[PULUMI_BIN_ENV];
  if (!bin)
    throw new Error(`${PULUMI_BIN_ENV} is not set: run through jest (its global setup builds the CLI)`);
  return bin;
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

/**
 * Lays out the fault program with stack `dev`, the kubeconfig as secret config and `config` as plain config
 * (in one `config set-all`, or copied from a {@link StackTemplate} and selected). `projectName` renames the
 * project (two projects snapshotting one VM); `gate` sets config `gateFile`, so each `up` waits for that file
 * before the snapshot is registered.
 */
export async function faultProject(options: {
  kubeconfig: string;
  config: Record<string, string>;
  projectName?: string;
  gate?: boolean;
  /** A directory for Node's compile cache (NODE_COMPILE_CACHE) of the program and the provider host. */
  compileCache?: string;
  /** A stack made before with the same project name and kubeconfig, copied instead of made again. */
  template?: StackTemplate;
}): Promise<FaultProject> {
  const bin = pulumiBin();
  const root = mkdtempSync(join(tmpdir(), "kvsnap-faults-"));
  const dir = join(root, "program");
  materializeProgram(PROGRAM, dir);
  const project = options.projectName ?? PROJECT;
  if (options.projectName) {
    const file = join(dir, "Pulumi.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace(/^name: .*$/m, `name: ${project}`));
  }
  // Node's compile cache, shared by the cells of a file, spares each program and provider host some start-up.
  const env = {
    ...pulumiEnv(bin, root, "faults-passphrase"),
    ...(options.compileCache ? { NODE_COMPILE_CACHE: options.compileCache } : {}),
  };
  const gateFile = join(root, "gate");
  const run = (args: string[]): Promise<RunResult> => {
    const running = start(args);
    return running.exited.then(({ code, output }) => ({ code: code ?? 1, stdout: output, stderr: "" }));
  };
  const start = (args: string[]): Running => {
    const child = spawn(join(bin, "pulumi"), ["--non-interactive", ...args], {
      cwd: dir,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const began = Date.now();
    let text = "";
    const listeners = new Set<() => void>();
    const append = (chunk: Buffer) => {
      text += chunk.toString("utf8");
      for (const l of listeners) l();
    };
    child.stdout.on("data", append);
    child.stderr.on("data", append);
    // 'exit', not 'close': a child of pulumi that outlives it may hold the pipes open.
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>(
      (resolve) =>
        child.on("exit", (code, signal) => {
          trace(
            options.config["namespace"] ?? "?",
            `pulumi ${args.join(" ")}: ${signal ?? code} after ${Date.now() - began} ms`,
          );
          for (const l of listeners) l();
          // Let what is still buffered in the pipes arrive.
          setTimeout(() => resolve({ code, signal, output: text }), 100);
        }),
    );
    let done = false;
    void exited.then(() => (done = true));
    return {
      pid: child.pid ?? -1,
      output: () => text,
      exited,
      hasExited: () => child.exitCode !== null || child.signalCode !== null,
      waitFor: (pattern, ms = 60_000) =>
        new Promise<void>((resolve, reject) => {
          const check = () => {
            if (pattern.test(text)) finish(() => resolve());
            else if (done || child.exitCode !== null || child.signalCode !== null)
              finish(() => reject(new Error(`pulumi ${args.join(" ")} exited before ${pattern}:\n${text}`)));
          };
          const timer = setTimeout(
            () => finish(() => reject(new Error(`no ${pattern} within ${ms} ms from pulumi:\n${text}`))),
            ms,
          );
          const finish = (then: () => void) => {
            clearTimeout(timer);
            listeners.delete(check);
            then();
          };
          listeners.add(check);
          check();
        }),
    };
  };
  const ok = async (args: string[]): Promise<RunResult> => {
    const result = await run(args);
    if (result.code !== 0)
      throw new Error(`pulumi ${args.join(" ")} exited ${result.code}\n${result.stdout}`);
    return result;
  };
  const config = { ...options.config, ...(options.gate ? { gateFile } : {}) };
  if (options.template) {
    // The template's backend and its stack file (salt, encrypted kubeconfig), plus this cell's plain config.
    cpSync(options.template.state, join(root, "state"), { recursive: true });
    const lines = Object.entries(config).map(([k, v]) => `  ${project}:${k}: ${JSON.stringify(v)}\n`);
    writeFileSync(join(dir, "Pulumi.dev.yaml"), options.template.stackFile + lines.join(""));
    await ok(["stack", "select", "dev"]);
  } else {
    await ok(["stack", "init", "dev"]);
    await ok([
      "config",
      "set-all",
      "--secret",
      `pulumi-kubevirt-snapshot:kubeconfig=${options.kubeconfig}`,
      ...Object.entries(config).flatMap(([k, v]) => ["--plaintext", `${k}=${v}`]),
    ]);
  }
  return {
    root,
    dir,
    owner: `${project}/dev/${RESOURCE}`,
    gateFile,
    run,
    ok,
    start,
    locks: () => filesUnder(join(root, "state", ".pulumi", "locks")),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

/**
 * A stack `dev` with the kubeconfig as secret config and nothing else: its file backend and Pulumi.dev.yaml,
 * which {@link faultProject} copies (two `pulumi` runs fewer per cell).
 */
export interface StackTemplate {
  state: string;
  stackFile: string;
  remove(): void;
}

/** Makes a {@link StackTemplate} for a project name and kubeconfig. */
export async function stackTemplate(kubeconfig: string, projectName?: string): Promise<StackTemplate> {
  const p = await faultProject({ kubeconfig, config: {}, ...(projectName ? { projectName } : {}) });
  const stackFile = readFileSync(join(p.dir, "Pulumi.dev.yaml"), "utf8");
  // Plain config is appended to it: the config map must be the file's last key.
  if (!/\nconfig:\n(?: {2}.*\n)+$/.test(stackFile)) throw new Error(`unexpected stack file:\n${stackFile}`);
  return { state: join(p.root, "state"), stackFile, remove: p.remove };
}

/** What `pulumi stack export` says about the VMSnapshot: its resources (with `delete` marks) and pending ops. */
export interface StateView {
  /** Names the state accounts for: each VMSnapshot resource's snapshotName and keptHistory names. */
  names: string[];
  /** Resources of the VMSnapshot type in state (a replaced one awaiting deletion included). */
  resources: Record<string, any>[];
  /** Pending operations on the VMSnapshot: `{type, name}` (the name from the op's inputs). */
  pending: { type: string; name: string | undefined; urn: string }[];
}

/** Reads the stack's state. */
export async function stateOf(p: FaultProject): Promise<StateView> {
  const { stdout } = await p.ok(["stack", "export"]);
  const deployment = (JSON.parse(stdout) as { deployment: Record<string, any> }).deployment;
  const resources = ((deployment["resources"] ?? []) as Record<string, any>[]).filter((r) =>
    String(r["type"]).endsWith(":VMSnapshot"),
  );
  const names = new Set<string>();
  for (const r of resources) {
    const outs = (r["outputs"] ?? {}) as Record<string, any>;
    if (typeof outs["snapshotName"] === "string") names.add(outs["snapshotName"]);
    for (const h of (outs["keptHistory"] ?? []) as { name?: string }[]) if (h.name) names.add(h.name);
  }
  const pending = ((deployment["pending_operations"] ?? []) as Record<string, any>[])
    .filter((op) => String(op["resource"]?.["type"]).endsWith(":VMSnapshot"))
    .map((op) => ({
      type: String(op["type"]),
      name: op["resource"]?.["inputs"]?.["name"] as string | undefined,
      urn: String(op["resource"]?.["urn"]),
    }));
  return { names: [...names].sort(), resources, pending };
}

/** The URN of the program's VMSnapshot in stack `dev` of `project`. */
export function snapshotUrn(project = PROJECT): string {
  return `urn:pulumi:dev::${project}::pulumi-nodejs:dynamic/kubevirt-snapshot:VMSnapshot::${RESOURCE}`;
}

// ---------------------------------------------------------------------------------------------------------
// The cluster

/** The snapshots in `namespace` that carry `owner`'s owner-hash label. */
export async function ownedSnapshots(a: Admin, namespace: string, owner: string): Promise<any[]> {
  const hash = ownerHash(owner);
  return (await listIn(a, namespace, ...SNAPSHOTS)).filter(
    (s) => s.metadata.labels?.[OWNER_HASH_LABEL] === hash,
  );
}

/** The snapshot named `name`, or undefined. */
export async function getSnapshot(a: Admin, namespace: string, name: string): Promise<any> {
  const [group, version, plural] = SNAPSHOTS;
  return a.custom
    .getNamespacedCustomObject({ group, version, plural, namespace, name })
    .catch((e: unknown) => {
      if ((e as { code?: number }).code === 404) return undefined;
      throw e;
    });
}

/** Owned snapshots against the state: the ones no name in state accounts for, and names in state not found. */
export async function account(
  a: Admin,
  namespace: string,
  p: FaultProject,
): Promise<{ owned: string[]; orphans: string[]; missing: string[]; state: StateView }> {
  const state = await stateOf(p);
  const owned = (await ownedSnapshots(a, namespace, p.owner)).map((s) => s.metadata.name as string).sort();
  return {
    owned,
    orphans: owned.filter((n) => !state.names.includes(n)),
    missing: state.names.filter((n) => !owned.includes(n)),
    state,
  };
}

/** Sets or clears the VM's `hold-ready` scenario. */
export async function holdReady(a: Admin, namespace: string, vm: string, on: boolean): Promise<void> {
  await mergePatch(a, {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachine",
    metadata: { name: vm, namespace, annotations: { [HOLD_READY]: on ? "true" : null } },
  });
}

/** Adds (or removes) the test's finalizer on a snapshot, keeping KubeVirt's (optimistic: retried on 409). */
export async function setHoldFinalizer(
  a: Admin,
  namespace: string,
  name: string,
  on: boolean,
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const live = await getSnapshot(a, namespace, name);
    if (!live) {
      if (on) throw new Error(`snapshot ${namespace}/${name} is gone; cannot hold it`);
      return;
    }
    const finalizers = ((live.metadata.finalizers ?? []) as string[]).filter((f) => f !== HOLD_FINALIZER);
    if (on) finalizers.push(HOLD_FINALIZER);
    try {
      await mergePatch(a, {
        apiVersion: live.apiVersion,
        kind: live.kind,
        metadata: { name, namespace, resourceVersion: live.metadata.resourceVersion, finalizers },
      });
      return;
    } catch (e) {
      if ((e as { code?: number }).code !== 409 || attempt > 20) throw e;
    }
  }
}

/** Waits until a snapshot has a deletion timestamp (its delete was sent and is held). */
export async function deletionSeen(a: Admin, namespace: string, name: string, ms = 60_000): Promise<void> {
  await eventually(
    () => getSnapshot(a, namespace, name),
    (s) => Boolean(s?.metadata.deletionTimestamp),
    `deletion of ${namespace}/${name} sent`,
    ms,
  );
}

// ---------------------------------------------------------------------------------------------------------
// An apiserver that can be made unreachable

/** A TCP proxy to the apiserver that can be switched off (every connection reset, new ones refused). */
export interface SwitchProxy {
  port: number;
  setReachable(on: boolean): void;
  stop(): Promise<void>;
}

/** Starts a {@link SwitchProxy} to 127.0.0.1:`targetPort`, reachable at first. */
export async function startSwitchProxy(targetPort: number): Promise<SwitchProxy> {
  const sockets = new Set<Socket>();
  let reachable = true;
  const server = createServer((client) => {
    if (!reachable) {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, "127.0.0.1");
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => s.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    setReachable(on: boolean) {
      reachable = on;
      if (!on) for (const s of sockets) s.destroy();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

// ---------------------------------------------------------------------------------------------------------
// The matrix

/** One row of the matrix table. */
export interface CellRecord {
  point: string;
  signal: string;
  /** How the interrupted command ended (exit code or signal). */
  ended: string;
  /** Whether the stack was left locked (so recovery began with `pulumi cancel --yes`). */
  locked: boolean;
  /** Provider hosts still running 15 s after the command ended (killed by the test then). */
  hostsLeft: number;
  /** Other processes of the run (Pulumi's language host, the program) running then (killed too). */
  othersLeft: number;
  /** Snapshots carrying the resource's owner-hash label before recovery. */
  ownedBefore: number;
  /** Owned snapshots that state does not account for, after recovery. */
  orphansAfter: number | string;
  /** Names in state with no snapshot behind them, after recovery. */
  missingAfter: number | string;
  /** Pending operations left in state after recovery (Pulumi carries pending creates forward). */
  pendingAfter: number | string;
  /** The recovery commands run. */
  recovery: string;
}

/** The rows recorded so far, in run order. */
export const matrix: CellRecord[] = [];

/** The matrix as a Markdown table. */
export function matrixTable(title: string): string {
  const head =
    "| point | signal | ended | locked | hosts left | others left | owned before recovery | orphans after | " +
    "missing after | pending ops after | recovery |";
  const rows = matrix.map(
    (r) =>
      `| ${r.point} | ${r.signal} | ${r.ended} | ${r.locked ? "yes" : "no"} | ${r.hostsLeft} | ${r.othersLeft} | ` +
      `${r.ownedBefore} | ${r.orphansAfter} | ${r.missingAfter} | ${r.pendingAfter} | ${r.recovery} |`,
  );
  return [title, "", head, `|${"---|".repeat(11)}`, ...rows].join("\n");
}

/** With KVSNAP_FAULTS_TRACE set, prints a timestamped step of a cell to stderr (outside jest's console). */
export function trace(cell: string, what: string): void {
  if (process.env["KVSNAP_FAULTS_TRACE"])
    process.stderr.write(`[faults ${new Date().toISOString().slice(11, 23)}] ${cell}: ${what}\n`);
}

/** Messages of the real CLI worth quoting (first occurrence of each kind). */
export const seen = new Map<string, string>();

/** Keeps the first `kind` message that `pattern` finds in `text` (with the rest of its paragraph). */
export function remember(kind: string, text: string, pattern: RegExp): void {
  if (seen.has(kind)) return;
  const m = pattern.exec(text);
  if (m) seen.set(kind, m[0].trim());
}

// ---------------------------------------------------------------------------------------------------------
// Cells

/** The VM every cell snapshots (one per namespace). */
export const VM = "vm";
/** The commands a cell interrupts or prepares with (the preview left out: one provider host per run). */
export const UP = ["up", "--yes", "--skip-preview"];
export const DESTROY = ["destroy", "--yes", "--skip-preview"];

/** One test file's ground and what its cells share. */
export interface Suite {
  ground: Ground;
  a: Admin;
  kubeconfig: string;
  proxy: SwitchProxy;
  compileCache: string;
  projects: FaultProject[];
  /** Stack templates by project name and kubeconfig (direct or through the proxy). */
  templates: Map<string, Promise<StackTemplate>>;
  cells: number;
}

/** Starts a file's ground, the switchable proxy in front of its apiserver and a compile cache. */
export async function startSuite(): Promise<Suite> {
  const { ground, a } = await readyGround();
  return {
    ground,
    a,
    kubeconfig: readFileSync(ground.adminKubeconfig, "utf8"),
    proxy: await startSwitchProxy(ground.port),
    compileCache: mkdtempSync(join(tmpdir(), "kvsnap-faults-ncc-")),
    projects: [],
    templates: new Map(),
    cells: 0,
  };
}

/** Prints the file's matrix and the CLI messages seen, and stops and removes what the suite started. */
export async function stopSuite(s: Suite | undefined, title: string): Promise<void> {
  console.log(
    `${matrixTable(`${title} (KubeVirt ${s?.ground.kubevirtVersion ?? "?"})`)}\n\n` +
      [...seen].map(([kind, text]) => `${kind}:\n${text}`).join("\n\n"),
  );
  if (!s) return;
  for (const p of s.projects) p.remove();
  for (const t of s.templates.values()) (await t.catch(() => undefined))?.remove();
  rmSync(s.compileCache, { recursive: true, force: true });
  await s.proxy.stop();
  await s.ground.stop();
}

/** One cell: its namespace with a VM, and a project snapshotting it. */
export interface Cell {
  s: Suite;
  ns: string;
  p: FaultProject;
  /** Snapshot names the preparation noted (e.g. the one to be replaced or pruned). */
  names: string[];
}

/** What a cell needs: stack config, the VM's annotations, the gate, the kubeconfig through the proxy. */
export interface CellSetup {
  config?: Record<string, string>;
  annotations?: Record<string, string>;
  gate?: boolean;
  viaProxy?: boolean;
}

/** Makes a cell: namespace `f<n>`, the VM settled, the project with its stack. */
export async function newCell(s: Suite, setup: CellSetup): Promise<Cell> {
  const ns = `f${++s.cells}`;
  trace(ns, "new cell");
  await createNamespace(s.a, ns);
  await createVm(s.a, ns, { name: VM, annotations: setup.annotations ?? {} });
  await vmReady(s.a, ns, VM);
  const p = await suiteProject(s, { namespace: ns, vmName: VM, ...setup.config }, setup);
  return { s, ns, p, names: [] };
}

/** A project of the suite (from its stack template), removed when the suite stops. */
export async function suiteProject(
  s: Suite,
  config: Record<string, string>,
  options: { viaProxy?: boolean; gate?: boolean; projectName?: string } = {},
): Promise<FaultProject> {
  const kubeconfig = options.viaProxy ? viaPort(s.kubeconfig, s.proxy.port) : s.kubeconfig;
  const key = `${options.projectName ?? PROJECT} ${options.viaProxy ? "proxy" : "direct"}`;
  let template = s.templates.get(key);
  if (!template) {
    template = stackTemplate(kubeconfig, options.projectName);
    s.templates.set(key, template);
  }
  const p = await faultProject({
    kubeconfig,
    config,
    gate: options.gate ?? false,
    compileCache: s.compileCache,
    template: await template,
    ...(options.projectName ? { projectName: options.projectName } : {}),
  });
  s.projects.push(p);
  return p;
}

/** Polls `check` every 100 ms until it holds; fails after `ms`. */
export async function untilTrue(
  what: string,
  check: () => boolean | Promise<boolean>,
  ms = 60_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${ms} ms`);
    await sleep(100);
  }
}

/** The snapshotName the state holds for the cell's resource. */
export async function stateName(c: Cell): Promise<string> {
  return (await stateOf(c.p)).resources[0]?.["outputs"]?.["snapshotName"] as string;
}

/** The progress line of a held snapshot (`hold-ready`): created, point in time cut, not ready. */
export function heldLine(c: Cell, name = "faulted-[a-z0-9]{7}"): RegExp {
  return new RegExp(`\\[${RESOURCE}\\] ${c.ns}/${name}: phase Succeeded; progressing: Operation complete`);
}

/** What interrupts a run. */
export type Signal = "SIGKILL pulumi" | "SIGTERM pulumi" | "SIGINT pulumi" | "SIGKILL provider host";
export const SIGNALS: Signal[] = [
  "SIGKILL pulumi",
  "SIGTERM pulumi",
  "SIGINT pulumi",
  "SIGKILL provider host",
];
/** SIGTERM and SIGINT: pulumi cancels, finishing the step in flight. */
export const graceful = (signal: Signal): boolean =>
  signal === "SIGTERM pulumi" || signal === "SIGINT pulumi";

/** The provider host of a run, once it runs (exactly one: the interrupted commands skip the preview). */
export async function hostOf(run: Running): Promise<Proc> {
  let hosts: Proc[] = [];
  await untilTrue("the provider host running", () => (hosts = providerHosts(run.pid)).length === 1, 30_000);
  return hosts[0]!;
}

/** A row of the matrix before the recovery's outcome is known. */
export type Row = Omit<CellRecord, "orphansAfter" | "missingAfter" | "pendingAfter" | "recovery">;

/**
 * Runs `command` until `held` says the state it holds is there, sends `signal`, and lets the hold go: for
 * SIGTERM/SIGINT once pulumi says it is cancelling (it waits for the step in flight), otherwise only after the
 * provider host is gone or 15 s have passed (so a host left running cannot finish the held step behind the
 * test's back). Processes of the run still there then are ended by pid. Returns the row so far, and the hosts
 * that outlived the run by 15 s.
 */
export async function interrupt(
  c: Cell,
  what: {
    point: string;
    command: string[];
    held(run: Running): Promise<void>;
    release(): Promise<void>;
    signal: Signal;
  },
): Promise<{ row: Row; hostsLeft: Proc[] }> {
  const { signal } = what;
  const run = c.p.start(what.command);
  await what.held(run);
  const host = await hostOf(run);
  const tree = descendants(run.pid);
  trace(c.ns, `held; host ${host.pid}; sending ${signal}`);
  if (signal === "SIGKILL provider host") process.kill(host.pid, "SIGKILL");
  else process.kill(run.pid, signal.split(" ")[0]);
  if (graceful(signal)) {
    await run.waitFor(/received; cancelling/);
    remember(`pulumi on ${signal}`, run.output(), /(\^C|SIGTERM) received; cancelling[^\n]*\n[^\n]*/);
    await what.release();
  }
  const end = await run.exited;
  // The provider host must not outlive its engine (it exits once the engine stops answering).
  const hostsLeft = await goneWithin([host], 15_000);
  const othersLeft = tree.filter((p) => p.pid !== host.pid && alive(p));
  trace(c.ns, `hosts left: ${hostsLeft.length}; others: ${othersLeft.map((p) => p.cmdline).join(", ")}`);
  killLeft([...tree, ...hostsLeft]);
  if (signal === "SIGKILL provider host")
    remember("pulumi when its provider host is killed", end.output, /error: [^\n]*/);
  if (!graceful(signal)) await what.release();
  return {
    row: {
      point: what.point,
      signal,
      ended: end.signal ?? `exit ${end.code}`,
      locked: c.p.locks().length > 0,
      hostsLeft: hostsLeft.length,
      othersLeft: othersLeft.length,
      ownedBefore: (await ownedSnapshots(c.s.a, c.ns, c.p.owner)).length,
    },
    hostsLeft,
  };
}

/** The README's recovery: the command again, after `pulumi cancel --yes` when pulumi says the stack is locked. */
export async function recover(c: Cell, kind: "up" | "destroy", steps: string[]): Promise<void> {
  const command = [kind, "--yes"];
  let result = await c.p.run(command);
  if (result.code !== 0 && /currently locked/.test(result.stdout)) {
    remember("a locked stack", result.stdout, /error: the stack is currently locked[^\n]*\n[^\n]*/);
    steps.push(`${kind}: locked`, "cancel --yes");
    await c.p.ok(["cancel", "--yes"]);
    result = await c.p.run(command);
  }
  steps.push(`${kind} --yes`);
  remember(
    `pulumi ${kind} after an interrupted run`,
    result.stdout,
    /warning: Attempting to deploy or update resources with \d+ pending operations[^\n]*\n[^\n]*VMSnapshot[^\n]*interrupted while[^\n]*/,
  );
  if (result.code !== 0)
    throw new Error(`recovery pulumi ${kind} --yes exited ${result.code}\n${result.stdout}`);
}

/**
 * Records the row with the accounting after the recovery and checks it (no orphan, nothing missing, every
 * resource readyToUse, then `after`); destroys unless the recovery was a destroy; checks nothing is left.
 */
export async function settle(
  c: Cell,
  row: Row,
  steps: string[],
  after?: (c: Cell, state: StateView) => Promise<void>,
): Promise<void> {
  const acc = await account(c.s.a, c.ns, c.p);
  const destroyed = steps.at(-1)?.startsWith("destroy") === true;
  const record: CellRecord = {
    ...row,
    orphansAfter: acc.orphans.length,
    missingAfter: acc.missing.length,
    pendingAfter: acc.state.pending.length,
    recovery: steps.join(" → "),
  };
  matrix.push(record);
  expect({ orphans: acc.orphans, missing: acc.missing }).toEqual({ orphans: [], missing: [] });
  for (const r of acc.state.resources) expect(r["outputs"]?.["readyToUse"]).toBe(true);
  await after?.(c, acc.state);
  if (acc.state.pending.length > 0) {
    // Pulumi carries a pending create forward after the recovery (and warns on every run): the README's
    // way to silence it, harmless because the snapshot was taken over and is in state.
    await c.p.ok(["refresh", "--yes", "--clear-pending-creates"]);
    steps.push("refresh --clear-pending-creates");
    record.recovery = steps.join(" → ");
    const cleared = await stateOf(c.p);
    expect({ pending: cleared.pending, names: cleared.names }).toEqual({
      pending: [],
      names: acc.state.names,
    });
  }
  if (!destroyed) await c.p.ok(DESTROY);
  await nothingLeft(c.s.a, c.ns);
}
