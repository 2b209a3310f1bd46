/**
 * The test ground: a real kube-apiserver + etcd (tests/cluster), KubeVirt's own CRDs, snapshot and restore
 * controllers and admission webhooks (tests/kubevirt, one build per KubeVirt version), the CSI snapshot CRDs,
 * and the stand-ins for what those controllers call outside themselves (tests/standins). Each integration
 * test file starts its own ground and stops it; nothing that the ground did not start is ever killed.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type * as k8s from "@kubernetes/client-node" with { "resolution-mode": "import" };
import { REPO } from "../support/project";

/** Repository root (also from dist/). */
export { REPO };
/** Where the built cluster binary path is recorded by the global setup. */
export const BINARY_ENV = "KVSNAP_CLUSTER_BIN";
/** Where the built kvsnap-kubevirt binary path is recorded by the global setup. */
export const KUBEVIRT_BINARY_ENV = "KVSNAP_KUBEVIRT_BIN";
/** Picks the KubeVirt version of the ground (a `tests/kubevirt/versions/<version>.mod`). */
export const KUBEVIRT_VERSION_ENV = "KVSNAP_KUBEVIRT_VERSION";
/** The KubeVirt version a ground runs unless KVSNAP_KUBEVIRT_VERSION says otherwise. */
export const DEFAULT_KUBEVIRT_VERSION = "v1.9.0";

/** The KubeVirt version this test run's grounds run. */
export function kubevirtVersion(): string {
  return process.env[KUBEVIRT_VERSION_ENV] || DEFAULT_KUBEVIRT_VERSION;
}

/** Whether this run's KubeVirt is `min` or newer (versions as vMAJOR.MINOR.PATCH). */
export function kubevirtAtLeast(min: string): boolean {
  const parts = (v: string) => v.replace(/^v/, "").split(".").map(Number);
  const [have, want] = [parts(kubevirtVersion()), parts(min)];
  for (let i = 0; i < 3; i++) if ((have[i] ?? 0) !== (want[i] ?? 0)) return (have[i] ?? 0) > (want[i] ?? 0);
  return true;
}

/**
 * Which snapshot.kubevirt.io CRDs the ground serves: KubeVirt's own (default, with its controllers), or for
 * discovery tests only, hand-written ones that also serve v1, or serve only v1alpha1 (no controllers then:
 * KubeVirt's use the v1beta1 client).
 */
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
  /** Stops KubeVirt, the stand-ins and the apiserver and removes the data. */
  stop(): Promise<void>;
  /** Lines KubeVirt's controllers and the stand-ins printed (stderr), each prefixed with its process. */
  log: string[];
  /** The KubeVirt version whose controllers run here (none on a discovery-only flavour). */
  kubevirtVersion: string | undefined;
  /** Turns KubeVirt's `Snapshot` feature gate on or off in the KubeVirt CR. */
  setSnapshotGate(on: boolean): Promise<void>;
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

/** Applies the YAML documents of a manifest file (those `keep` accepts) with the admin kubeconfig (create, or replace if present). */
export async function applyManifest(
  kubeconfig: string,
  file: string,
  keep: (doc: k8s.KubernetesObject) => boolean = () => true,
): Promise<void> {
  const { client, docs } = await manifestObjects(kubeconfig, file);
  for (const doc of docs.filter(keep)) {
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
/** The hand-written snapshot.kubevirt.io CRDs of the discovery-only flavours. */
const FLAVOUR_CRDS: Partial<Record<CrdFlavour, string>> = {
  "with-v1": "crds-snapshot-kubevirt-v1.yaml",
  "v1alpha1-only": "crds-snapshot-kubevirt-v1alpha1-only.yaml",
};
const KUBEVIRT_NAMESPACE = "kubevirt";

/** A child process whose stderr lines go to `log` with a prefix, and a warning if it exits on its own. */
function spawnLogged(
  what: string,
  command: string,
  args: string[],
  log: string[],
  stopping: () => boolean,
): ChildProcess {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  child.stderr.on("data", (d: Buffer) =>
    log.push(
      ...d
        .toString()
        .split("\n")
        .filter(Boolean)
        .map((line) => `[${what}] ${line}`),
    ),
  );
  child.once("exit", (code, signal) => {
    if (!stopping())
      console.error(
        `[ground] ${what} exited unexpectedly (${String(code ?? signal)}); last lines:\n${log.slice(-20).join("\n")}`,
      );
  });
  return child;
}

/** Starts a ground: apiserver, KubeVirt's CRDs, controllers and webhooks, the CSI CRDs and the stand-ins. */
export async function startGround(options: { crds?: CrdFlavour } = {}): Promise<Ground> {
  const binary = process.env[BINARY_ENV];
  const kubevirt = process.env[KUBEVIRT_BINARY_ENV];
  if (!binary || !kubevirt)
    throw new Error(
      `${BINARY_ENV} or ${KUBEVIRT_BINARY_ENV} is not set: run the tests through jest (its global setup builds both)`,
    );
  const dataDir = mkdtempSync(join(tmpdir(), "kvsnap-ground-"));
  const started = Date.now();
  const api = await startApiserver(binary, dataDir, 0);
  console.log(
    `[ground] kube-apiserver + etcd ready in ${((Date.now() - started) / 1000).toFixed(1)} s (warm start of a built binary)`,
  );
  const [, adminKubeconfig = "", userKubeconfig = "", url = ""] = api.line.split(" ");
  const port = Number(new URL(url).port);
  const children: ChildProcess[] = [api.child];
  try {
    return await prepareGround(
      binary,
      kubevirt,
      dataDir,
      children,
      { adminKubeconfig, userKubeconfig, url, port },
      options,
    );
  } catch (error) {
    // Stop what was started before the failure: never leave a process behind.
    for (const child of children.reverse()) await stopChild(child);
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/** KubeVirt's CRDs as its own generator prints them (`kvsnap-kubevirt crds`). */
function generatedCrds(kubevirt: string, dataDir: string): string {
  const file = join(dataDir, "kubevirt-crds.yaml");
  writeFileSync(file, execFileSync(kubevirt, ["crds"], { maxBuffer: 64 << 20 }));
  return file;
}

/** Merge-patches the ground's KubeVirt CR, or its status subresource. */
async function patchKubeVirtCr(kubeconfig: string, body: object, status = false): Promise<void> {
  const { lib, kc } = await clientFor(kubeconfig);
  const custom = kc.makeApiClient(lib.CustomObjectsApi);
  const params = {
    group: "kubevirt.io",
    version: "v1",
    namespace: KUBEVIRT_NAMESPACE,
    plural: "kubevirts",
    name: "kubevirt",
    body,
  };
  const merge = lib.setHeaderOptions("Content-Type", lib.PatchStrategy.MergePatch);
  await (status
    ? custom.patchNamespacedCustomObjectStatus(params, merge)
    : custom.patchNamespacedCustomObject(params, merge));
}

/**
 * The KubeVirt CR, with the Snapshot gate listed, and the status virt-operator would write: the phase
 * (KubeVirt's cluster config ignores a CR without one) and the version it deployed.
 */
async function installKubeVirtCr(kubeconfig: string, version: string | undefined): Promise<void> {
  const { lib, kc } = await clientFor(kubeconfig);
  const objects = lib.KubernetesObjectApi.makeApiClient(kc);
  await objects.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: KUBEVIRT_NAMESPACE } });
  await objects.create({
    apiVersion: "kubevirt.io/v1",
    kind: "KubeVirt",
    metadata: { name: "kubevirt", namespace: KUBEVIRT_NAMESPACE },
    spec: { configuration: { developerConfiguration: { featureGates: ["Snapshot"] } } },
  });
  const deployed = version ? { observedKubeVirtVersion: version, targetKubeVirtVersion: version } : {};
  await patchKubeVirtCr(kubeconfig, { status: { phase: "Deployed", ...deployed } }, true);
}

/** Sets the Snapshot gate: listed in featureGates when on; listed in disabledFeatureGates (v1.8+) when off. */
async function setGate(kubeconfig: string, on: boolean): Promise<void> {
  const developerConfiguration = on
    ? { featureGates: ["Snapshot"], disabledFeatureGates: null }
    : { featureGates: [], disabledFeatureGates: ["Snapshot"] };
  await patchKubeVirtCr(kubeconfig, { spec: { configuration: { developerConfiguration } } });
}

async function prepareGround(
  binary: string,
  kubevirt: string,
  dataDir: string,
  children: ChildProcess[],
  where: { adminKubeconfig: string; userKubeconfig: string; url: string; port: number },
  options: { crds?: CrdFlavour },
): Promise<Ground> {
  const { adminKubeconfig, userKubeconfig, url, port } = where;
  let api: { child: ChildProcess } = { child: children[0]! };
  const flavour = options.crds ?? "default";
  const flavourFile = FLAVOUR_CRDS[flavour];
  const crds = generatedCrds(kubevirt, dataDir);
  await applyManifest(
    adminKubeconfig,
    crds,
    (doc) => !flavourFile || !doc.metadata?.name?.endsWith(".snapshot.kubevirt.io"),
  );
  if (flavourFile) await applyManifest(adminKubeconfig, join(MANIFESTS, flavourFile));
  await applyManifest(adminKubeconfig, join(MANIFESTS, "crds-csi-snapshot.yaml"));
  await waitForCrds(adminKubeconfig, [
    "virtualmachines.kubevirt.io",
    "virtualmachineinstances.kubevirt.io",
    "kubevirts.kubevirt.io",
    "virtualmachinesnapshots.snapshot.kubevirt.io",
    "virtualmachinesnapshotcontents.snapshot.kubevirt.io",
    "virtualmachinerestores.snapshot.kubevirt.io",
    "volumesnapshots.snapshot.storage.k8s.io",
    "volumesnapshotclasses.snapshot.storage.k8s.io",
  ]);
  const version = flavourFile ? undefined : execFileSync(kubevirt, ["version"], { encoding: "utf8" }).trim();
  await installKubeVirtCr(adminKubeconfig, version);
  const log: string[] = [];
  let stopping = false;
  if (version) {
    const certDir = join(dataDir, "kubevirt-certs");
    const started = Date.now();
    const controllers = spawnLogged(
      "kubevirt",
      kubevirt,
      ["run", "--kubeconfig", adminKubeconfig, "--cert-dir", certDir],
      log,
      () => stopping,
    );
    children.push(controllers);
    await waitForLine(controllers, /^KUBEVIRT READY /, `KubeVirt ${version} controllers`, 120_000);
    const standins = spawnLogged(
      "standins",
      process.execPath,
      [
        join(REPO, "dist", "tests", "standins", "main.js"),
        "--kubeconfig",
        adminKubeconfig,
        "--cert-dir",
        certDir,
      ],
      log,
      () => stopping,
    );
    children.push(standins);
    await waitForLine(standins, /^STANDINS READY/, "stand-ins", 90_000);
    console.log(
      `[ground] KubeVirt ${version} snapshot/restore controllers, webhooks and stand-ins ready in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  }
  return {
    dataDir,
    url,
    adminKubeconfig,
    userKubeconfig,
    port,
    log,
    kubevirtVersion: version,
    setSnapshotGate: (on) => setGate(adminKubeconfig, on),
    async restartApiserver(pauseMs = 0) {
      await stopChild(api.child);
      await new Promise((r) => setTimeout(r, pauseMs));
      api = await startApiserver(binary, dataDir, port);
    },
    async stop() {
      stopping = true;
      for (const child of children.slice(1).reverse()) await stopChild(child);
      await stopChild(api.child);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
