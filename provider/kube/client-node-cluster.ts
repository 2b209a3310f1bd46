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
import type { RestoreCluster, SnapshotRef } from "./cluster";
import { listWatchInformers } from "./list-watch-informer";
import { sharedStreams, type SharedStream } from "./shared-streams";
import { podsMountingClaims } from "./pods";
import { recentAnswer } from "./recent-answer";
import { throttleDelayMs } from "./throttle";
import type {
  ObjectMeta,
  VirtualMachine,
  VirtualMachineInstance,
  VirtualMachineRestore,
  VirtualMachineSnapshot,
} from "./types";

type ClientNode = typeof k8s;
const SNAPSHOTS = `${SNAPSHOT_PLURAL}.${SNAPSHOT_GROUP}`;
const RESTORES = `${RESTORE_PLURAL}.${SNAPSHOT_GROUP}`;
/** How long a namespace's shared list-watch outlives its last wait (so back-to-back waits reuse it). */
const SHARED_WATCH_LINGER_MS = 30_000;
/** How long the served snapshot versions are reused (every operation asks; a run's operations share one answer). */
const DISCOVERY_TTL_MS = 30_000;

/** Loads client-node (ESM) from CommonJS. */
export async function loadClientNode(): Promise<ClientNode> {
  return import("@kubernetes/client-node");
}

/** Builds a cluster over a loaded KubeConfig. */
export function clientNodeCluster(lib: ClientNode, kc: k8s.KubeConfig): RestoreCluster {
  const custom = kc.makeApiClient(lib.CustomObjectsApi);
  const apis = kc.makeApiClient(lib.ApisApi);
  const server = kc.getCurrentCluster()?.server ?? "(unknown server)";

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
  const act = (verb: string, ref: { namespace: string; name?: string }, resource = SNAPSHOTS): ApiAction => ({
    verb,
    resource,
    namespace: ref.namespace,
    ...(ref.name ? { name: ref.name } : {}),
  });

  /** Gets one snapshot.kubevirt.io object by name, or `undefined` on 404. */
  const getByName = <T>(ref: SnapshotRef, plural: string, resource: string): Promise<T | undefined> =>
    orUndefined(
      call(act("get", ref, resource), () =>
        custom.getNamespacedCustomObject({ ...snapshotParams(ref, plural), name: ref.name }),
      ) as Promise<T>,
    );
  /** Shared list-watches of one kind and version, one per namespace (shared-streams.ts). */
  const sharedOf = <T extends { metadata: ObjectMeta }>(plural: string, resource: string) => {
    const byVersion = new Map<string, (namespace: string, name: string) => SharedStream<T>>();
    return (ref: SnapshotRef): SharedStream<T> => {
      let streamOf = byVersion.get(ref.version);
      if (!streamOf) {
        const version = ref.version;
        const informers = listWatchInformers<T>(lib, kc, {
          path: (namespace) => `/apis/${SNAPSHOT_GROUP}/${version}/namespaces/${namespace}/${plural}`,
          list: (namespace) =>
            call(act("list", { namespace }, resource), () =>
              custom.listNamespacedCustomObject({ group: SNAPSHOT_GROUP, version, namespace, plural }),
            ) as Promise<{ items: unknown[] }>,
          action: (namespace) => act("watch", { namespace }, resource),
          server,
        });
        const fetch = (namespace: string, name: string) =>
          getByName<T>({ version, namespace, name }, plural, resource);
        streamOf = sharedStreams(informers, { lingerMs: SHARED_WATCH_LINGER_MS, fetch });
        byVersion.set(version, streamOf);
      }
      return streamOf(ref.namespace, ref.name);
    };
  };
  const discovery = recentAnswer<string[]>(DISCOVERY_TTL_MS, (versions) => versions.length > 0);
  const snapshotStreams = sharedOf<VirtualMachineSnapshot>(SNAPSHOT_PLURAL, SNAPSHOTS);
  const restoreStreams = sharedOf<VirtualMachineRestore>(RESTORE_PLURAL, RESTORES);

  return {
    async servedSnapshotVersions() {
      return discovery.get(async () => {
        const list = await call({ verb: "list", resource: "API groups (discovery)", namespace: "" }, () =>
          apis.getAPIVersions(),
        );
        const group = list.groups.find((g) => g.name === SNAPSHOT_GROUP);
        return group ? group.versions.map((v) => v.version) : [];
      });
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
      return getByName<VirtualMachineSnapshot>(ref, SNAPSHOT_PLURAL, SNAPSHOTS);
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
    async listSnapshot(ref, created) {
      return snapshotStreams(ref).list(created);
    },
    async watchSnapshot(ref, resourceVersion, onEvent) {
      return snapshotStreams(ref).watch(resourceVersion, onEvent);
    },
    async getRestore(ref) {
      return getByName<VirtualMachineRestore>(ref, RESTORE_PLURAL, RESTORES);
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
      return restoreStreams(ref).list();
    },
    async watchRestore(ref, resourceVersion, onEvent) {
      return restoreStreams(ref).watch(resourceVersion, onEvent);
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
