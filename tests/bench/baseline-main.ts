/**
 * The plain-client baseline of the scale phase, run as its own process (as a script would be):
 *
 *   node baseline-main.js create|delete <kubeconfig file> <count> <namespace,...>
 *
 * `create` creates snapshot base-<i> of vm-<i> in namespace i mod the count of namespaces, all at once, and
 * returns once every one is readyToUse (one list + watch per namespace); `delete` deletes them all and
 * returns once they are gone. It prints nothing on success and exits 1 with the error otherwise.
 */
import type * as k8s from "@kubernetes/client-node" with { "resolution-mode": "import" };
import { snapshotBody, SNAPSHOTS } from "./snapshots";

interface Job {
  lib: typeof k8s;
  kc: k8s.KubeConfig;
  custom: k8s.CustomObjectsApi;
  /** The snapshot names still awaited, by namespace. */
  pending: Map<string, Set<string>>;
}

type Mode = "create" | "delete";

function plan(count: number, namespaces: string[]): Map<string, Set<string>> {
  const pending = new Map(namespaces.map((ns) => [ns, new Set<string>()]));
  for (let i = 0; i < count; i++) pending.get(namespaces[i % namespaces.length]!)!.add(`base-${i}`);
  return pending;
}

function finished(mode: Mode, type: string, object: any): boolean {
  return mode === "create" ? object?.status?.readyToUse === true : type === "DELETED";
}

/** Lists, then watches one namespace until none of its snapshots is pending. */
async function settle(job: Job, mode: Mode, namespace: string): Promise<void> {
  const pending = job.pending.get(namespace)!;
  const list = (await job.custom.listNamespacedCustomObject({ ...SNAPSHOTS, namespace })) as {
    items: any[];
    metadata: { resourceVersion: string };
  };
  const present = new Set(list.items.map((item) => item.metadata.name as string));
  for (const item of list.items) if (finished(mode, "", item)) pending.delete(item.metadata.name);
  if (mode === "delete") for (const name of [...pending]) if (!present.has(name)) pending.delete(name);
  if (pending.size === 0) return;
  const path = `/apis/${SNAPSHOTS.group}/${SNAPSHOTS.version}/namespaces/${namespace}/${SNAPSHOTS.plural}`;
  await new Promise<void>((resolve, reject) => {
    const watching = new job.lib.Watch(job.kc).watch(
      path,
      { resourceVersion: list.metadata.resourceVersion },
      (type, object) => {
        if (finished(mode, type, object)) pending.delete(object.metadata.name);
        if (pending.size === 0) void watching.then((c) => c.abort()).then(resolve);
      },
      (error: unknown) =>
        pending.size ? reject(new Error(`watch of ${namespace} ended: ${String(error)}`)) : resolve(),
    );
  });
}

async function act(job: Job, mode: Mode): Promise<void> {
  const calls: Promise<unknown>[] = [];
  for (const [namespace, names] of job.pending)
    for (const name of names) {
      const vm = name.replace(/^base-/, "vm-");
      calls.push(
        mode === "create"
          ? job.custom.createNamespacedCustomObject({
              ...SNAPSHOTS,
              namespace,
              body: snapshotBody(name, vm, "5m"),
            })
          : job.custom.deleteNamespacedCustomObject({ ...SNAPSHOTS, namespace, name }),
      );
    }
  await Promise.all(calls);
}

async function main(): Promise<void> {
  const [mode, kubeconfig, count, namespaces] = process.argv.slice(2);
  if ((mode !== "create" && mode !== "delete") || !kubeconfig || !count || !namespaces)
    throw new Error("usage: baseline-main.js create|delete <kubeconfig> <count> <namespace,...>");
  const lib = await import("@kubernetes/client-node");
  const kc = new lib.KubeConfig();
  kc.loadFromFile(kubeconfig);
  const job = {
    lib,
    kc,
    custom: kc.makeApiClient(lib.CustomObjectsApi),
    pending: plan(Number(count), namespaces.split(",")),
  };
  const settling = [...job.pending.keys()].map((ns) => settle(job, mode, ns));
  await act(job, mode);
  await Promise.all(settling);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
