/**
 * The test ground: a real kube-apiserver + etcd (tests/cluster, built from the Go module proxy), the
 * KubeVirt and CSI CRDs and admission policies, and the simulator. Each integration test file starts its
 * own ground and stops it; nothing that the ground did not start is ever killed.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import type * as k8s from "@kubernetes/client-node" with { "resolution-mode": "import" };

/** Repository root. */
export const REPO = findRepo(__dirname);

/** The repository root: the nearest directory up with this package's package.json (works from dist/ too). */
function findRepo(start: string): string {
  for (let dir = start; dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (
      existsSync(manifest) &&
      (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "pulumi-kubevirt-snapshot"
    )
      return dir;
  }
  throw new Error(`no pulumi-kubevirt-snapshot package.json above ${start}`);
}
/** Where the built cluster binary path is recorded by the global setup. */
export const BINARY_ENV = "KVSNAP_CLUSTER_BIN";

/** Which snapshot.kubevirt.io versions the ground serves. */
export type CrdFlavour = "default" | "with-v1" | "v1alpha1-only";

/** A running ground. */
export interface Ground {
  dataDir: string;
  url: string;
  adminKubeconfig: string;
  userKubeconfig: string;
  port: number;
  /** Stops the apiserver (SIGTERM) and starts it again on the same port and data. */
  restartApiserver(pauseMs?: number): Promise<void>;
  /** Stops the simulator and the apiserver and removes the data. */
  stop(): Promise<void>;
  /** Lines the simulator printed (stderr). */
  simulatorLog: string[];
}

function waitForLine(child: ChildProcess, pattern: RegExp, what: string, timeoutMs: number): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(
      () => reject(new Error(`${what} did not become ready within ${timeoutMs} ms`)),
      timeoutMs,
    );
    lines.on("line", (line) => {
      if (pattern.test(line)) {
        clearTimeout(timer);
        resolvePromise(line);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with code ${String(code)} before it was ready`));
    });
  });
}

function stopChild(child: ChildProcess | undefined, timeoutMs = 15_000): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolvePromise) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolvePromise();
    });
    child.kill("SIGTERM");
  });
}

async function startApiserver(
  binary: string,
  dataDir: string,
  port: number,
): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(binary, ["--data-dir", dataDir, "--port", String(port)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const stderr: string[] = [];
  child.stderr.on("data", (d: Buffer) => stderr.push(d.toString()));
  try {
    const line = await waitForLine(child, /^READY /, "kube-apiserver", 120_000);
    return { child, line };
  } catch (e) {
    throw new Error(`${(e as Error).message}\n${stderr.join("").slice(-3000)}`);
  }
}

async function clientFor(kubeconfig: string): Promise<{ lib: typeof k8s; kc: k8s.KubeConfig }> {
  const lib = await import("@kubernetes/client-node");
  const kc = new lib.KubeConfig();
  kc.loadFromFile(kubeconfig);
  return { lib, kc };
}

/** The manifest's objects, with a generic client to create or delete them. */
async function manifestObjects(kubeconfig: string, file: string) {
  const { lib, kc } = await clientFor(kubeconfig);
  const docs = (lib.loadAllYaml(readFileSync(file, "utf8")) as (k8s.KubernetesObject | null)[]).filter(
    (d): d is k8s.KubernetesObject => Boolean(d?.kind),
  );
  return { client: lib.KubernetesObjectApi.makeApiClient(kc), docs };
}

/** Applies every YAML document of a manifest file with the admin kubeconfig (create, or replace if present). */
export async function applyManifest(kubeconfig: string, file: string): Promise<void> {
  const { client, docs } = await manifestObjects(kubeconfig, file);
  for (const doc of docs) {
    try {
      await client.create(doc);
    } catch (e) {
      if ((e as { code?: number }).code !== 409) {
        throw new Error(
          `applying ${file} (${doc.kind} ${doc.metadata?.name ?? ""}): ${(e as Error).message}`,
        );
      }
      const live = await client.read(doc as never);
      await client.replace({
        ...doc,
        metadata: { ...doc.metadata, resourceVersion: live.metadata?.resourceVersion },
      });
    }
  }
}

/** Deletes every object of a manifest file (404 ignored). */
export async function deleteManifest(kubeconfig: string, file: string): Promise<void> {
  const { client, docs } = await manifestObjects(kubeconfig, file);
  for (const doc of docs) {
    await client.delete(doc).catch((e: unknown) => {
      if ((e as { code?: number }).code !== 404) throw e;
    });
  }
}

async function waitForCrds(kubeconfig: string, names: string[]): Promise<void> {
  const { lib, kc } = await clientFor(kubeconfig);
  const api = kc.makeApiClient(lib.ApiextensionsV1Api);
  const deadline = Date.now() + 60_000;
  for (const name of names) {
    for (;;) {
      const crd = await api.readCustomResourceDefinition({ name }).catch(() => undefined);
      if (crd?.status?.conditions?.some((c) => c.type === "Established" && c.status === "True")) break;
      if (Date.now() > deadline) throw new Error(`CRD ${name} not Established`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

const MANIFESTS = join(REPO, "tests", "cluster", "manifests");
const SNAPSHOT_CRDS: Record<CrdFlavour, string> = {
  default: "crds-snapshot-kubevirt.yaml",
  "with-v1": "crds-snapshot-kubevirt-v1.yaml",
  "v1alpha1-only": "crds-snapshot-kubevirt-v1alpha1-only.yaml",
};

/** Starts a ground: apiserver, CRDs, admission policies, storage fixtures and the simulator. */
export async function startGround(options: { crds?: CrdFlavour; simulator?: boolean } = {}): Promise<Ground> {
  const binary = process.env[BINARY_ENV];
  if (!binary)
    throw new Error(
      `${BINARY_ENV} is not set: run the integration tests through jest (its global setup builds the cluster)`,
    );
  const dataDir = mkdtempSync(join(tmpdir(), "kvsnap-ground-"));
  const started = Date.now();
  const api = await startApiserver(binary, dataDir, 0);
  console.log(
    `[ground] kube-apiserver + etcd ready in ${((Date.now() - started) / 1000).toFixed(1)} s (warm start of a built binary)`,
  );
  const [, adminKubeconfig = "", userKubeconfig = "", url = ""] = api.line.split(" ");
  const port = Number(new URL(url).port);
  try {
    return await prepareGround(
      binary,
      dataDir,
      api.child,
      { adminKubeconfig, userKubeconfig, url, port },
      options,
    );
  } catch (error) {
    // Stop what was started before the failure: never leave an apiserver behind.
    await stopChild(api.child);
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

async function prepareGround(
  binary: string,
  dataDir: string,
  apiChild: ChildProcess,
  where: { adminKubeconfig: string; userKubeconfig: string; url: string; port: number },
  options: { crds?: CrdFlavour; simulator?: boolean },
): Promise<Ground> {
  const { adminKubeconfig, userKubeconfig, url, port } = where;
  let api: { child: ChildProcess } = { child: apiChild };
  const flavour = options.crds ?? "default";
  for (const file of ["crds-kubevirt.yaml", SNAPSHOT_CRDS[flavour], "crds-csi-snapshot.yaml"])
    await applyManifest(adminKubeconfig, join(MANIFESTS, file));
  await waitForCrds(adminKubeconfig, [
    "virtualmachines.kubevirt.io",
    "virtualmachinesnapshots.snapshot.kubevirt.io",
    "volumesnapshots.snapshot.storage.k8s.io",
  ]);
  await applyManifest(adminKubeconfig, join(MANIFESTS, "admission.yaml"));
  let simulator: ChildProcess | undefined;
  const simulatorLog: string[] = [];
  let stopping = false;
  if (options.simulator !== false) {
    simulator = spawn(
      process.execPath,
      [join(REPO, "dist", "tests", "standins", "main.js"), "--kubeconfig", adminKubeconfig],
      {
        stdio: ["ignore", "pipe", "pipe"],
        env: {
          ...process.env,
          KVSNAP_SIM_SNAPSHOT_VERSION: flavour === "v1alpha1-only" ? "v1alpha1" : "v1beta1",
        },
      },
    );
    simulator.stderr!.on("data", (d: Buffer) =>
      simulatorLog.push(...d.toString().split("\n").filter(Boolean)),
    );
    const child = simulator;
    child.once("exit", (code, signal) => {
      if (!stopping)
        console.error(
          `[ground] the simulator exited unexpectedly (${String(code ?? signal)}); last lines:\n${simulatorLog.slice(-20).join("\n")}`,
        );
    });
    await waitForLine(child, /^SIMULATOR READY/, "simulator", 60_000).catch(async (e: unknown) => {
      await stopChild(child);
      throw e;
    });
  }
  return {
    dataDir,
    url,
    adminKubeconfig,
    userKubeconfig,
    port,
    simulatorLog,
    async restartApiserver(pauseMs = 0) {
      await stopChild(api.child);
      await new Promise((r) => setTimeout(r, pauseMs));
      api = await startApiserver(binary, dataDir, port);
    },
    async stop() {
      stopping = true;
      await stopChild(simulator);
      await stopChild(api.child);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
