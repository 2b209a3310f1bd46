/** VirtualMachineSnapshots the bench makes and removes itself, with a plain client-node client. */
import type { Admin } from "../ground/fixtures";

/** snapshot.kubevirt.io/v1beta1 virtualmachinesnapshots. */
export const SNAPSHOTS = {
  group: "snapshot.kubevirt.io",
  version: "v1beta1",
  plural: "virtualmachinesnapshots",
};

/** The object of a snapshot of `vm` (only what KubeVirt needs, plus the deadline). */
export function snapshotBody(name: string, vm: string, failureDeadline: string, annotations = {}): object {
  return {
    apiVersion: "snapshot.kubevirt.io/v1beta1",
    kind: "VirtualMachineSnapshot",
    metadata: { name, annotations },
    spec: { source: { apiGroup: "kubevirt.io", kind: "VirtualMachine", name: vm }, failureDeadline },
  };
}

/** Creates a snapshot of `vm`. */
export async function createSnapshot(
  a: Admin,
  namespace: string,
  name: string,
  vm: string,
  failureDeadline: string,
): Promise<void> {
  await a.custom.createNamespacedCustomObject({
    ...SNAPSHOTS,
    namespace,
    body: snapshotBody(name, vm, failureDeadline),
  });
}

/** A snapshot, or undefined once it is gone. */
export async function getSnapshot(a: Admin, namespace: string, name: string): Promise<any> {
  return a.custom.getNamespacedCustomObject({ ...SNAPSHOTS, namespace, name }).catch((e: unknown) => {
    if ((e as { code?: number }).code === 404) return undefined;
    throw e;
  });
}

/** Deletes every snapshot of a namespace and waits until they are gone. */
export async function deleteAllSnapshots(a: Admin, namespace: string, timeoutMs = 120_000): Promise<void> {
  await a.custom.deleteCollectionNamespacedCustomObject({ ...SNAPSHOTS, namespace });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const list = (await a.custom.listNamespacedCustomObject({ ...SNAPSHOTS, namespace })) as {
      items: unknown[];
    };
    if (list.items.length === 0) return;
    if (Date.now() > deadline) throw new Error(`${list.items.length} snapshots in ${namespace} not gone`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
