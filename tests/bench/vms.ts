/**
 * The bench's VMs: namespaces where the least-privilege user may snapshot (the repository's Role bound to
 * kvsnap-user), and running VMs with one disk on snapshot-capable storage, settled by the stand-ins.
 */
import type * as k8s from "@kubernetes/client-node" with { "resolution-mode": "import" };
import { createNamespace, createVm, grantRole, mergePatch, type Admin } from "../ground/fixtures";
import { sleep } from "./clock";
import { SNAPSHOTS } from "./snapshots";

/** The stand-ins' scenario annotation that keeps a VM's VolumeSnapshots from becoming ready. */
export const HOLD_READY = "sim.kvsnap.io/hold-ready";

/** Runs `work` over `items`, at most `width` at a time. */
export async function inBatches<T>(
  items: readonly T[],
  width: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  for (let i = 0; i < items.length; i += width) await Promise.all(items.slice(i, i + width).map(work));
}

/** Waits until the user of `kc` may list snapshots in `namespace` (a new RoleBinding takes a moment). */
async function userMayList(lib: typeof k8s, kc: k8s.KubeConfig, namespace: string): Promise<void> {
  const custom = kc.makeApiClient(lib.CustomObjectsApi);
  for (let tries = 0; ; tries++) {
    try {
      await custom.listNamespacedCustomObject({ ...SNAPSHOTS, namespace });
      return;
    } catch (error) {
      if (tries > 100) throw error;
      await sleep(100);
    }
  }
}

/** A namespace with the Role bound to kvsnap-user, usable by `userKubeconfig` (contents) once this returns. */
export async function benchNamespace(a: Admin, namespace: string, userKubeconfig: string): Promise<void> {
  await createNamespace(a, namespace);
  await grantRole(a, namespace);
  const kc = new a.lib.KubeConfig();
  kc.loadFromString(userKubeconfig);
  await userMayList(a.lib, kc, namespace);
}

function settled(vm: any): boolean {
  return Array.isArray(vm.status?.volumeSnapshotStatuses) && vm.status?.printableStatus === "Running";
}

/** Waits until every VM of the namespace is Running with its volume statuses (KubeVirt's and the stand-ins'). */
export async function vmsSettled(
  a: Admin,
  namespace: string,
  count: number,
  timeoutMs = 600_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const list = (await a.custom.listNamespacedCustomObject({
      group: "kubevirt.io",
      version: "v1",
      namespace,
      plural: "virtualmachines",
    })) as { items: any[] };
    const ready = list.items.filter(settled).length;
    if (ready >= count) return;
    if (Date.now() > deadline) throw new Error(`${ready}/${count} VMs of ${namespace} settled`);
    await sleep(500);
  }
}

/** Creates running VMs (a PVC each) with the given scenario annotations, and waits until they settle. */
export async function createVms(
  a: Admin,
  namespace: string,
  names: readonly string[],
  annotations: Record<string, string> = {},
): Promise<void> {
  await inBatches(names, 10, (name) => createVm(a, namespace, { name, annotations }));
  await vmsSettled(a, namespace, names.length);
}

/** Sets (value) or removes (null) a scenario annotation of a VM. */
export async function annotateVm(
  a: Admin,
  namespace: string,
  vm: string,
  key: string,
  value: string | null,
): Promise<void> {
  await mergePatch(a, {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachine",
    metadata: { name: vm, namespace, annotations: { [key]: value } },
  });
}
