/**
 * The floor: a plain @kubernetes/client-node list + watch of one snapshot (by name) in the bench's own
 * process, ending on readyToUse or on phase Failed. Nothing a waiter could do is quicker.
 */
import type * as k8s from "@kubernetes/client-node" with { "resolution-mode": "import" };
import { wallNow } from "../clock";
import type { Admin } from "../../ground/fixtures";
import { createSnapshot, SNAPSHOTS } from "../snapshots";
import { PEER_NAMES, type Peer, type Target, type Wait, type WaitEnd } from "./peer";

function settled(object: any): WaitEnd | undefined {
  if (object?.status?.readyToUse === true) return { at: wallNow(), ok: true, message: "" };
  if (object?.status?.phase === "Failed") return { at: wallNow(), ok: false, message: "Failed" };
  return undefined;
}

async function watchOne(
  lib: typeof k8s,
  kc: k8s.KubeConfig,
  target: Target,
  name: string,
): Promise<{ armed: Promise<void>; done: Promise<WaitEnd> }> {
  const custom = kc.makeApiClient(lib.CustomObjectsApi);
  const fieldSelector = `metadata.name=${name}`;
  const list = (await custom.listNamespacedCustomObject({
    ...SNAPSHOTS,
    namespace: target.namespace,
    fieldSelector,
  })) as {
    items: any[];
    metadata: { resourceVersion: string };
  };
  let finish: (end: WaitEnd) => void = () => undefined;
  const done = new Promise<WaitEnd>((resolve) => (finish = resolve));
  const now = settled(list.items[0]);
  if (now) return { armed: Promise.resolve(), done: Promise.resolve(now) };
  const path = `/apis/${SNAPSHOTS.group}/${SNAPSHOTS.version}/namespaces/${target.namespace}/${SNAPSHOTS.plural}`;
  const armed = new lib.Watch(kc).watch(
    path,
    { fieldSelector, resourceVersion: list.metadata.resourceVersion, allowWatchBookmarks: true },
    (_type, object) => {
      const end = settled(object);
      if (end) finish(end);
    },
    (error: unknown) => finish({ at: wallNow(), ok: false, message: `watch ended: ${String(error)}` }),
  );
  void done.then(async () => (await armed).abort());
  return { armed: armed.then(() => undefined), done };
}

/** The floor peer; the watch runs with `kc`. */
export async function watchPeer(kubeconfig: string, a: Admin): Promise<Peer> {
  const lib = await import("@kubernetes/client-node");
  const kc = new lib.KubeConfig();
  kc.loadFromString(kubeconfig);
  return {
    name: PEER_NAMES.floor,
    async start(target: Target): Promise<Wait> {
      const snapshot = target.label;
      await createSnapshot(a, target.namespace, snapshot, target.vm, target.failureDeadline);
      return { snapshot, ...(await watchOne(lib, kc, target, snapshot)) };
    },
    close: async () => undefined,
  };
}
