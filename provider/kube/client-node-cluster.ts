/**
 * The production `SnapshotCluster`, over `@kubernetes/client-node` (loaded lazily: it is ESM-only, and the
 * provider module must load fast in Pulumi's provider host).
 */
import type * as k8s from "@kubernetes/client-node" with { "resolution-mode": "import" };
import {
  KUBEVIRT_GROUP,
  KUBEVIRT_VERSION,
  RESTORE_PLURAL,
  SNAPSHOT_GROUP,
  SNAPSHOT_PLURAL,
} from "../core/constants";
import { hasStatus } from "../core/errors";
import { toKubeApiError, type ApiAction } from "./api-errors";
import type { Listing, RestoreCluster, SnapshotRef, WatchEvent, WatchHandle } from "./cluster";
import { podsMountingClaims } from "./pods";
import { throttleDelayMs } from "./throttle";
import type {
  VirtualMachine,
  VirtualMachineInstance,
  VirtualMachineRestore,
  VirtualMachineSnapshot,
} from "./types";

type ClientNode = typeof k8s;
const SNAPSHOTS = `${SNAPSHOT_PLURAL}.${SNAPSHOT_GROUP}`;
const RESTORES = `${RESTORE_PLURAL}.${SNAPSHOT_GROUP}`;

/** Loads client-node (ESM) from CommonJS. */
export async function loadClientNode(): Promise<ClientNode> {
  return import("@kubernetes/client-node");
}

/** Builds a cluster over a loaded KubeConfig. */
export function clientNodeCluster(lib: ClientNode, kc: k8s.KubeConfig): RestoreCluster {
  const custom = kc.makeApiClient(lib.CustomObjectsApi);
  const apis = kc.makeApiClient(lib.ApisApi);
  const server = kc.getCurrentCluster()?.server ?? "(unknown server)";
  const client: Client = { lib, kc, server };

  async function call<T>(action: ApiAction, run: () => Promise<T>): Promise<T> {
    for (let tries = 1; ; tries++) {
      try {
        return await run();
      } catch (error) {
        const wait = throttleDelayMs(error, tries);
        if (wait === undefined) throw toKubeApiError(error, action, server);
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }
  async function orUndefined<T>(promise: Promise<T>): Promise<T | undefined> {
    try {
      return await promise;
    } catch (error) {
      if (hasStatus(error, 404)) return undefined;
      throw error;
    }
  }
  const snapshotParams = (ref: SnapshotRef, plural = SNAPSHOT_PLURAL) => ({
    group: SNAPSHOT_GROUP,
    version: ref.version,
    namespace: ref.namespace,
    plural,
  });
  /** List-then-watch by name for any snapshot.kubevirt.io resource. */
  async function listByName<T>(ref: SnapshotRef, plural: string, resource: string): Promise<Listing<T>> {
    const run = () =>
      custom.listNamespacedCustomObject({
        ...snapshotParams(ref, plural),
        fieldSelector: `metadata.name=${ref.name}`,
      }) as Promise<{ items: T[]; metadata: { resourceVersion: string } }>;
    const list = await call(act("list", { namespace: ref.namespace }, resource), run);
    return { object: list.items[0], resourceVersion: list.metadata.resourceVersion };
  }
  const act = (verb: string, ref: { namespace: string; name?: string }, resource = SNAPSHOTS): ApiAction => ({
    verb,
    resource,
    namespace: ref.namespace,
    ...(ref.name ? { name: ref.name } : {}),
  });

  return {
    async servedSnapshotVersions() {
      const list = await call({ verb: "list", resource: "API groups (discovery)", namespace: "" }, () =>
        apis.getAPIVersions(),
      );
      const group = list.groups.find((g) => g.name === SNAPSHOT_GROUP);
      return group ? group.versions.map((v) => v.version) : [];
    },
    async getVirtualMachine(namespace, name) {
      const params = {
        group: KUBEVIRT_GROUP,
        version: KUBEVIRT_VERSION,
        namespace,
        plural: "virtualmachines",
        name,
      };
      const action = act("get", { namespace, name }, "virtualmachines.kubevirt.io");
      return orUndefined(
        call(action, () => custom.getNamespacedCustomObject(params) as Promise<VirtualMachine>),
      );
    },
    async getVirtualMachineInstance(namespace, name) {
      const params = {
        group: KUBEVIRT_GROUP,
        version: KUBEVIRT_VERSION,
        namespace,
        plural: "virtualmachineinstances",
        name,
      };
      const action = act("get", { namespace, name }, "virtualmachineinstances.kubevirt.io");
      return orUndefined(
        call(action, () => custom.getNamespacedCustomObject(params) as Promise<VirtualMachineInstance>),
      );
    },
    async getSnapshot(ref) {
      const run = () =>
        custom.getNamespacedCustomObject({
          ...snapshotParams(ref),
          name: ref.name,
        }) as Promise<VirtualMachineSnapshot>;
      return orUndefined(call(act("get", ref), run));
    },
    async createSnapshot(version, body) {
      const ref = { version, namespace: body.metadata.namespace ?? "", name: body.metadata.name ?? "" };
      const run = () =>
        custom.createNamespacedCustomObject({
          ...snapshotParams(ref),
          body,
          fieldValidation: "Strict",
        }) as Promise<VirtualMachineSnapshot>;
      return call(act("create", ref), run);
    },
    async patchSnapshotMetadata(ref, patch) {
      const options = lib.setHeaderOptions("Content-Type", lib.PatchStrategy.MergePatch);
      const body = { metadata: patch };
      const run = () =>
        custom.patchNamespacedCustomObject(
          { ...snapshotParams(ref), name: ref.name, body },
          options,
        ) as Promise<VirtualMachineSnapshot>;
      return call(act("patch", ref), run);
    },
    async deleteSnapshot(ref) {
      const run = () => custom.deleteNamespacedCustomObject({ ...snapshotParams(ref), name: ref.name });
      const result: unknown = await orUndefined(call(act("delete", ref), run));
      return result !== undefined;
    },
    async listSnapshotsByLabel(version, namespace, labelSelector) {
      const run = () =>
        custom.listNamespacedCustomObject({
          ...snapshotParams({ version, namespace, name: "" }),
          labelSelector,
        }) as Promise<{ items: VirtualMachineSnapshot[] }>;
      return (await call(act("list", { namespace }), run)).items;
    },
    async listSnapshot(ref) {
      return listByName<VirtualMachineSnapshot>(ref, SNAPSHOT_PLURAL, SNAPSHOTS);
    },
    async watchSnapshot(ref, resourceVersion, onEvent) {
      return startWatch(client, { ...ref, plural: SNAPSHOT_PLURAL }, resourceVersion, onEvent);
    },
    async getRestore(ref) {
      const run = () =>
        custom.getNamespacedCustomObject({
          ...snapshotParams(ref, RESTORE_PLURAL),
          name: ref.name,
        }) as Promise<VirtualMachineRestore>;
      return orUndefined(call(act("get", ref, RESTORES), run));
    },
    async createRestore(version, body) {
      const ref = { version, namespace: body.metadata.namespace ?? "", name: body.metadata.name ?? "" };
      const run = () =>
        custom.createNamespacedCustomObject({
          ...snapshotParams(ref, RESTORE_PLURAL),
          body,
          fieldValidation: "Strict",
        }) as Promise<VirtualMachineRestore>;
      return call(act("create", ref, RESTORES), run);
    },
    async patchRestoreMetadata(ref, patch) {
      const options = lib.setHeaderOptions("Content-Type", lib.PatchStrategy.MergePatch);
      const body = { metadata: patch };
      const run = () =>
        custom.patchNamespacedCustomObject(
          { ...snapshotParams(ref, RESTORE_PLURAL), name: ref.name, body },
          options,
        ) as Promise<VirtualMachineRestore>;
      return call(act("patch", ref, RESTORES), run);
    },
    async deleteRestore(ref) {
      const run = () =>
        custom.deleteNamespacedCustomObject({ ...snapshotParams(ref, RESTORE_PLURAL), name: ref.name });
      const result: unknown = await orUndefined(call(act("delete", ref, RESTORES), run));
      return result !== undefined;
    },
    async listRestore(ref) {
      return listByName<VirtualMachineRestore>(ref, RESTORE_PLURAL, RESTORES);
    },
    async watchRestore(ref, resourceVersion, onEvent) {
      return startWatch(client, { ...ref, plural: RESTORE_PLURAL }, resourceVersion, onEvent);
    },
    async listPodsUsingClaims(namespace, claims) {
      const core = kc.makeApiClient(lib.CoreV1Api);
      try {
        const list = await call(act("list", { namespace }, "pods"), () =>
          core.listNamespacedPod({ namespace }),
        );
        return podsMountingClaims(list.items, claims);
      } catch (error) {
        if (hasStatus(error, 403)) return undefined;
        throw error;
      }
    },
    async kubeVirtVersion() {
      // virt-operator records the deployed version on the KubeVirt CR; most users may not read it (cluster-wide).
      const listed = (await custom
        .listClusterCustomObject({ group: "kubevirt.io", version: "v1", plural: "kubevirts" })
        .catch(() => undefined)) as
        { items?: { status?: { observedKubeVirtVersion?: string } }[] } | undefined;
      return listed?.items?.map((kv) => kv.status?.observedKubeVirtVersion).find(Boolean);
    },
  };
}

/** A loaded client-node and the KubeConfig and server it talks to. */
interface Client {
  lib: ClientNode;
  kc: k8s.KubeConfig;
  server: string;
}

/** Watches one snapshot.kubevirt.io object by name from `resourceVersion`. */
async function startWatch<T>(
  { lib, kc, server }: Client,
  ref: SnapshotRef & { plural: string },
  resourceVersion: string,
  onEvent: (event: WatchEvent<T>) => void,
): Promise<WatchHandle> {
  const path = `/apis/${SNAPSHOT_GROUP}/${ref.version}/namespaces/${ref.namespace}/${ref.plural}`;
  const query = { resourceVersion, fieldSelector: `metadata.name=${ref.name}`, allowWatchBookmarks: true };
  const action = { verb: "watch", resource: `${ref.plural}.${SNAPSHOT_GROUP}`, namespace: ref.namespace };
  let resolveClosed: (value: unknown) => void = () => undefined;
  const closed = new Promise<unknown>((resolve) => (resolveClosed = resolve));
  const toEvent = (phase: string, obj: unknown): WatchEvent<T> => {
    if (phase === "ERROR") {
      const status = obj as { code?: number; message?: string };
      return { type: "ERROR", code: status.code ?? 0, message: status.message ?? "watch error" };
    }
    return { type: phase as "ADDED", object: obj as T };
  };
  const done = (err: unknown): void => {
    const code = (err as { statusCode?: unknown } | null)?.statusCode;
    resolveClosed(
      err && typeof code === "number" && code !== 410
        ? toKubeApiError(err, action, server)
        : (err ?? undefined),
    );
  };
  try {
    const controller = await new lib.Watch(kc).watch(
      path,
      query,
      (phase, obj) => onEvent(toEvent(phase, obj)),
      done,
    );
    return { closed, stop: () => controller.abort() };
  } catch (error) {
    throw toKubeApiError(error, action, server);
  }
}
