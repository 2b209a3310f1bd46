/**
 * The stand-ins' access to the apiserver: small typed helpers over @kubernetes/client-node (custom
 * resources, PVCs, pods, storage classes, events), watches that restart themselves, and a per-key work
 * queue with delayed requeues, like client-go's.
 */
import type * as k8s from "@kubernetes/client-node" with { "resolution-mode": "import" };
import type { ObjectMeta } from "../../provider/kube/types";

/** Any Kubernetes object as JSON. */
export type Obj = { apiVersion?: string; kind?: string; metadata: Meta; spec?: any; status?: any } & Record<
  string,
  any
>;
/** Object metadata as JSON: the provider's shape plus what the stand-ins also write. */
export type Meta = ObjectMeta & {
  ownerReferences?: {
    apiVersion: string;
    kind: string;
    name: string;
    uid: string;
    controller?: boolean;
    blockOwnerDeletion?: boolean;
  }[];
  managedFields?: unknown;
  generation?: number;
};

/** A custom resource type. */
export interface Crd {
  group: string;
  version: string;
  plural: string;
  namespaced: boolean;
}

export const VM: Crd = { group: "kubevirt.io", version: "v1", plural: "virtualmachines", namespaced: true };
export const VMI: Crd = {
  group: "kubevirt.io",
  version: "v1",
  plural: "virtualmachineinstances",
  namespaced: true,
};
/** The snapshot.kubevirt.io version the stand-ins read (KubeVirt's controllers use v1beta1). */
const SNAPSHOT_VERSION = "v1beta1";
export const SNAPSHOT: Crd = {
  group: "snapshot.kubevirt.io",
  version: SNAPSHOT_VERSION,
  plural: "virtualmachinesnapshots",
  namespaced: true,
};
export const CONTENT: Crd = {
  group: "snapshot.kubevirt.io",
  version: SNAPSHOT_VERSION,
  plural: "virtualmachinesnapshotcontents",
  namespaced: true,
};
export const RESTORE: Crd = {
  group: "snapshot.kubevirt.io",
  version: SNAPSHOT_VERSION,
  plural: "virtualmachinerestores",
  namespaced: true,
};
export const VOLUME_SNAPSHOT: Crd = {
  group: "snapshot.storage.k8s.io",
  version: "v1",
  plural: "volumesnapshots",
  namespaced: true,
};
export const VOLUME_SNAPSHOT_CLASS: Crd = {
  group: "snapshot.storage.k8s.io",
  version: "v1",
  plural: "volumesnapshotclasses",
  namespaced: false,
};

const code = (e: unknown): number | undefined => (e as { code?: number }).code;

/** Typed helpers over one kubeconfig. */
export class Kube {
  readonly custom: k8s.CustomObjectsApi;
  readonly core: k8s.CoreV1Api;
  readonly storage: k8s.StorageV1Api;
  readonly apps: k8s.AppsV1Api;
  private readonly merge: ReturnType<typeof k8s.setHeaderOptions>;

  constructor(
    readonly lib: typeof k8s,
    readonly kc: k8s.KubeConfig,
  ) {
    this.custom = kc.makeApiClient(lib.CustomObjectsApi);
    this.core = kc.makeApiClient(lib.CoreV1Api);
    this.storage = kc.makeApiClient(lib.StorageV1Api);
    this.apps = kc.makeApiClient(lib.AppsV1Api);
    this.merge = lib.setHeaderOptions("Content-Type", lib.PatchStrategy.MergePatch);
  }

  private params(crd: Crd, namespace: string | undefined) {
    return {
      group: crd.group,
      version: crd.version,
      plural: crd.plural,
      ...(crd.namespaced ? { namespace: namespace ?? "" } : {}),
    };
  }

  /** GET, or undefined on 404. */
  async get(crd: Crd, namespace: string | undefined, name: string): Promise<Obj | undefined> {
    try {
      const p = { ...this.params(crd, namespace), name };
      return (await (crd.namespaced
        ? this.custom.getNamespacedCustomObject(p as never)
        : this.custom.getClusterCustomObject(p))) as Obj;
    } catch (e) {
      if (code(e) === 404) return undefined;
      throw e;
    }
  }
  /** LIST in a namespace (or cluster-wide for cluster-scoped types). */
  async list(crd: Crd, namespace?: string, labelSelector?: string): Promise<Obj[]> {
    const p = { ...this.params(crd, namespace), ...(labelSelector ? { labelSelector } : {}) };
    const res = (await (crd.namespaced && namespace
      ? this.custom.listNamespacedCustomObject(p as never)
      : this.custom.listClusterCustomObject(p))) as { items: Obj[] };
    return res.items;
  }
  async create(crd: Crd, body: Obj): Promise<Obj> {
    return (await this.custom.createNamespacedCustomObject({
      ...this.params(crd, body.metadata.namespace),
      body,
    } as never)) as Obj;
  }
  /** Replaces the object (PUT; optimistic concurrency through metadata.resourceVersion). */
  async replace(crd: Crd, body: Obj): Promise<Obj> {
    const p = { ...this.params(crd, body.metadata.namespace), name: body.metadata.name ?? "", body };
    return (await this.custom.replaceNamespacedCustomObject(p as never)) as Obj;
  }
  /** Merge-patches the object (include metadata.resourceVersion in the patch for optimistic concurrency). */
  async patch(crd: Crd, namespace: string | undefined, name: string, body: unknown): Promise<Obj> {
    return (await this.custom.patchNamespacedCustomObject(
      { ...this.params(crd, namespace), name, body } as never,
      this.merge,
    )) as Obj;
  }
  /** Merge-patches the status subresource. */
  async patchStatus(crd: Crd, namespace: string | undefined, name: string, body: unknown): Promise<Obj> {
    return (await this.custom.patchNamespacedCustomObjectStatus(
      { ...this.params(crd, namespace), name, body } as never,
      this.merge,
    )) as Obj;
  }
  /** Replaces the status subresource (optimistic concurrency through metadata.resourceVersion). */
  async replaceStatus(crd: Crd, body: Obj): Promise<Obj> {
    const p = { ...this.params(crd, body.metadata.namespace), name: body.metadata.name ?? "", body };
    return (await this.custom.replaceNamespacedCustomObjectStatus(p as never)) as Obj;
  }
  /** DELETE; false on 404. */
  async delete(crd: Crd, namespace: string | undefined, name: string): Promise<boolean> {
    try {
      await this.custom.deleteNamespacedCustomObject({ ...this.params(crd, namespace), name } as never);
      return true;
    } catch (e) {
      if (code(e) === 404) return false;
      throw e;
    }
  }
  /** Records a Kubernetes event about an object (best effort). */
  async event(obj: Obj, type: "Normal" | "Warning", reason: string, message: string): Promise<void> {
    const namespace = obj.metadata.namespace ?? "default";
    const now = new Date();
    await this.core
      .createNamespacedEvent({
        namespace,
        body: {
          metadata: { generateName: `${obj.metadata.name ?? "obj"}.`, namespace },
          involvedObject: {
            apiVersion: obj.apiVersion,
            kind: obj.kind,
            name: obj.metadata.name,
            namespace,
            uid: obj.metadata.uid,
          },
          reason,
          message,
          type,
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
          source: { component: "kvsnap-standins" },
        },
      })
      .catch(() => undefined);
  }
}

/** Whether an error is an optimistic-concurrency conflict (409) or a vanished object (404). */
export function isConflictOrGone(e: unknown): boolean {
  return code(e) === 409 || code(e) === 404;
}

/** A per-key work queue: one reconcile at a time per key, delayed requeues, errors retried with backoff. */
export class WorkQueue {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private stopped = false;

  constructor(
    readonly name: string,
    private readonly reconcile: (key: string) => Promise<number | undefined>,
    private readonly log: (line: string) => void,
  ) {}

  /** Enqueues `key` after `delayMs` (an earlier pending run wins). */
  add(key: string, delayMs = 0): void {
    if (this.stopped) return;
    if (this.running.has(key) && delayMs === 0) {
      this.dirty.add(key);
      return;
    }
    const existing = this.timers.get(key);
    if (existing && delayMs > 0) return;
    if (existing) clearTimeout(existing);
    this.timers.set(
      key,
      setTimeout(() => void this.run(key), delayMs),
    );
  }

  private async run(key: string): Promise<void> {
    this.timers.delete(key);
    if (this.running.has(key)) {
      this.dirty.add(key);
      return;
    }
    this.running.add(key);
    try {
      const requeue = await this.reconcile(key);
      this.failures.delete(key);
      if (requeue !== undefined) this.add(key, requeue);
    } catch (e) {
      const n = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, n);
      if (!isConflictOrGone(e))
        this.log(`${this.name} ${key}: ${(e as Error).message ?? String(e)} (retry ${n})`);
      this.add(key, Math.min(50 * 2 ** n, 2000));
    } finally {
      this.running.delete(key);
      if (this.dirty.delete(key)) this.add(key);
    }
  }

  /** Stops all pending work. */
  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
  }
}

/** Watches a collection through client-node's informer, restarting it after errors (e.g. an apiserver restart). */
export function watchCollection(
  kube: Kube,
  path: string,
  list: () => Promise<{ items: Obj[]; metadata?: { resourceVersion?: string } }>,
  onChange: (obj: Obj, type: "add" | "update" | "delete") => void,
  log: (line: string) => void,
): { stop(): void } {
  const informer = kube.lib.makeInformer<Obj & k8s.KubernetesObject>(kube.kc, path, list as never);
  let stopped = false;
  informer.on("add", (o) => onChange(o, "add"));
  informer.on("update", (o) => onChange(o, "update"));
  informer.on("delete", (o) => onChange(o, "delete"));
  // Start (or restart) until it succeeds: the initial list fails while the apiserver is down.
  const start = (): void => {
    if (stopped) return;
    informer.start().catch(() => setTimeout(start, 500));
  };
  informer.on("error", (err) => {
    if (stopped) return;
    log(
      `watch ${path} failed (${String((err as Error | undefined)?.message ?? err).split("\n")[0] ?? ""}); restarting`,
    );
    setTimeout(start, 500);
  });
  start();
  return {
    stop: () => {
      stopped = true;
      void informer.stop();
    },
  };
}

/** `<namespace>/<name>` of an object. */
export function keyOf(obj: Obj): string {
  return `${obj.metadata.namespace ?? ""}/${obj.metadata.name ?? ""}`;
}

/** Splits a `<namespace>/<name>` key. */
export function splitKey(key: string): [string, string] {
  const i = key.indexOf("/");
  return [key.slice(0, i), key.slice(i + 1)];
}
