/**
 * Objects the integration tests create on the ground: namespaces, storage (a CSI StorageClass with a
 * VolumeSnapshotClass, and one without), PVCs and VMs with scenario annotations; plus checks that nothing
 * was left behind.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type * as k8s from "@kubernetes/client-node" with { "resolution-mode": "import" };
import { REPO } from "./ground";

/** The CSI driver name of the simulated snapshot-capable storage. */
export const CSI_DRIVER = "csi.kvsnap.example";
/** A StorageClass whose driver has a VolumeSnapshotClass. */
export const SNAPSHOT_SC = "csi-snap";
/** A StorageClass without a VolumeSnapshotClass (its volumes are excluded). */
export const PLAIN_SC = "plain-nfs";

/** Admin access to the ground. */
export interface Admin {
  lib: typeof k8s;
  kc: k8s.KubeConfig;
  custom: k8s.CustomObjectsApi;
  core: k8s.CoreV1Api;
  objects: k8s.KubernetesObjectApi;
}

/** Opens admin access from a kubeconfig file. */
export async function admin(kubeconfig: string): Promise<Admin> {
  const lib = await import("@kubernetes/client-node");
  const kc = new lib.KubeConfig();
  kc.loadFromFile(kubeconfig);
  return {
    lib,
    kc,
    custom: kc.makeApiClient(lib.CustomObjectsApi),
    core: kc.makeApiClient(lib.CoreV1Api),
    objects: lib.KubernetesObjectApi.makeApiClient(kc),
  };
}

/** Creates the storage classes and the VolumeSnapshotClass (once per ground). */
export async function createStorage(a: Admin): Promise<void> {
  for (const [name, provisioner] of [
    [SNAPSHOT_SC, CSI_DRIVER],
    [PLAIN_SC, "nfs.example/provisioner"],
  ] as const) {
    await a.objects.create({
      apiVersion: "storage.k8s.io/v1",
      kind: "StorageClass",
      metadata: { name },
      provisioner,
    } as k8s.KubernetesObject);
  }
  await a.custom.createClusterCustomObject({
    group: "snapshot.storage.k8s.io",
    version: "v1",
    plural: "volumesnapshotclasses",
    body: {
      apiVersion: "snapshot.storage.k8s.io/v1",
      kind: "VolumeSnapshotClass",
      metadata: { name: "csi-snapclass" },
      driver: CSI_DRIVER,
      deletionPolicy: "Delete",
    },
  });
}

/** A VM to create: its disks (name → StorageClass, or "cloudinit" for a non-claim volume) and scenario. */
export interface VmSpec {
  name: string;
  running?: boolean;
  disks?: Record<string, string>;
  annotations?: Record<string, string>;
  pvcAnnotations?: Record<string, string>;
}

/** Creates a namespace. */
export async function createNamespace(a: Admin, name: string): Promise<void> {
  await a.core.createNamespace({ body: { metadata: { name } } });
}

/** Creates the PVCs and the VM. */
export async function createVm(a: Admin, namespace: string, spec: VmSpec): Promise<void> {
  const disks = spec.disks ?? { rootdisk: SNAPSHOT_SC };
  const volumes = [];
  for (const [volume, sc] of Object.entries(disks)) {
    if (sc === "cloudinit") {
      volumes.push({ name: volume, cloudInitNoCloud: { userData: "#cloud-config" } });
      continue;
    }
    const claim = `${spec.name}-${volume}`;
    await a.core.createNamespacedPersistentVolumeClaim({
      namespace,
      body: {
        metadata: { name: claim, annotations: spec.pvcAnnotations ?? {} },
        spec: {
          accessModes: ["ReadWriteOnce"],
          storageClassName: sc,
          resources: { requests: { storage: "1Gi" } },
        },
      },
    });
    volumes.push({ name: volume, persistentVolumeClaim: { claimName: claim } });
  }
  await a.custom.createNamespacedCustomObject({
    group: "kubevirt.io",
    version: "v1",
    namespace,
    plural: "virtualmachines",
    body: {
      apiVersion: "kubevirt.io/v1",
      kind: "VirtualMachine",
      metadata: { name: spec.name, namespace, annotations: spec.annotations ?? {} },
      spec: {
        runStrategy: spec.running === false ? "Halted" : "Always",
        template: { spec: { domain: { devices: {} }, volumes } },
      },
    },
  });
}

/** Polls `read` until `ok` holds (for ground state the simulator reaches asynchronously). */
export async function eventually<T>(
  read: () => Promise<T>,
  ok: (value: T) => boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not happen within ${timeoutMs} ms; last seen: ${JSON.stringify(last)}`);
}

/** A VM object. */
export async function getVm(a: Admin, namespace: string, name: string): Promise<any> {
  return a.custom.getNamespacedCustomObject({
    group: "kubevirt.io",
    version: "v1",
    namespace,
    plural: "virtualmachines",
    name,
  });
}

/** A VMI object, or undefined. */
export async function getVmi(a: Admin, namespace: string, name: string): Promise<any> {
  return a.custom
    .getNamespacedCustomObject({
      group: "kubevirt.io",
      version: "v1",
      namespace,
      plural: "virtualmachineinstances",
      name,
    })
    .catch(() => undefined);
}

/** Waits until the VM controller has settled the VM (status with volumeSnapshotStatuses; VMI when running). */
export async function vmReady(a: Admin, namespace: string, name: string, running = true): Promise<void> {
  await eventually(
    () => getVm(a, namespace, name),
    (vm) =>
      Array.isArray(vm.status?.volumeSnapshotStatuses) &&
      vm.status?.printableStatus ===
        (running
          ? vm.metadata.annotations?.["sim.kvsnap.io/paused"] === "true"
            ? "Paused"
            : "Running"
          : "Stopped"),
    `VM ${namespace}/${name} settled`,
  );
}

/** Lists snapshot.kubevirt.io / snapshot.storage.k8s.io objects in a namespace. */
export async function listIn(
  a: Admin,
  namespace: string,
  group: string,
  version: string,
  plural: string,
): Promise<any[]> {
  const res = (await a.custom.listNamespacedCustomObject({ group, version, namespace, plural })) as {
    items: any[];
  };
  return res.items;
}

/** Snapshots, contents and VolumeSnapshots in a namespace (what a test must not leave behind). */
export async function leftovers(
  a: Admin,
  namespace: string,
): Promise<{ snapshots: string[]; contents: string[]; volumeSnapshots: string[] }> {
  const names = (items: any[]) => items.map((i) => i.metadata.name as string).sort();
  return {
    snapshots: names(
      await listIn(a, namespace, "snapshot.kubevirt.io", "v1beta1", "virtualmachinesnapshots"),
    ),
    contents: names(
      await listIn(a, namespace, "snapshot.kubevirt.io", "v1beta1", "virtualmachinesnapshotcontents"),
    ),
    volumeSnapshots: names(await listIn(a, namespace, "snapshot.storage.k8s.io", "v1", "volumesnapshots")),
  };
}

const SNAPSHOTS = { group: "snapshot.kubevirt.io", version: "v1beta1", plural: "virtualmachinesnapshots" };
const RESTORES = { group: "snapshot.kubevirt.io", version: "v1beta1", plural: "virtualmachinerestores" };

/** Creates a VirtualMachineSnapshot of a VM and waits until it is readyToUse; returns it. */
export async function createReadySnapshot(
  a: Admin,
  namespace: string,
  name: string,
  vmName: string,
): Promise<any> {
  await a.custom.createNamespacedCustomObject({
    ...SNAPSHOTS,
    namespace,
    body: {
      apiVersion: "snapshot.kubevirt.io/v1beta1",
      kind: "VirtualMachineSnapshot",
      metadata: { name },
      spec: { source: { apiGroup: "kubevirt.io", kind: "VirtualMachine", name: vmName } },
    },
  });
  return eventually(
    () => a.custom.getNamespacedCustomObject({ ...SNAPSHOTS, namespace, name }),
    (s) => s.status?.readyToUse === true,
    `snapshot ${namespace}/${name} readyToUse`,
  );
}

/** A VirtualMachineRestore to create. */
export interface RestoreSpec {
  name: string;
  /** The VirtualMachineSnapshot to restore from (spec.virtualMachineSnapshotName). */
  snapshot: string;
  /** The target VM's name (spec.target, kubevirt.io/VirtualMachine). */
  target: string;
  /** @default - unset: KubeVirt's WaitGracePeriod */
  targetReadinessPolicy?: "WaitGracePeriod" | "StopTarget" | "FailImmediate" | "WaitEventually";
  /** @default - unset: KubeVirt's RandomizeNames */
  volumeRestorePolicy?: "RandomizeNames" | "InPlace" | "PrefixTargetName";
  /** Further spec fields as given (volumeOwnershipPolicy, volumeRestoreOverrides, patches). */
  extra?: Record<string, unknown>;
}

/** Creates a VirtualMachineRestore (v1beta1); returns the created object. */
export async function createRestore(a: Admin, namespace: string, spec: RestoreSpec): Promise<any> {
  return a.custom.createNamespacedCustomObject({
    ...RESTORES,
    namespace,
    body: {
      apiVersion: "snapshot.kubevirt.io/v1beta1",
      kind: "VirtualMachineRestore",
      metadata: { name: spec.name },
      spec: {
        target: { apiGroup: "kubevirt.io", kind: "VirtualMachine", name: spec.target },
        virtualMachineSnapshotName: spec.snapshot,
        ...(spec.targetReadinessPolicy ? { targetReadinessPolicy: spec.targetReadinessPolicy } : {}),
        ...(spec.volumeRestorePolicy ? { volumeRestorePolicy: spec.volumeRestorePolicy } : {}),
        ...(spec.extra ?? {}),
      },
    },
  });
}

/** A VirtualMachineRestore, or undefined when it does not exist. */
export async function getRestore(a: Admin, namespace: string, name: string): Promise<any> {
  return a.custom.getNamespacedCustomObject({ ...RESTORES, namespace, name }).catch((e: unknown) => {
    if ((e as { code?: number }).code === 404) return undefined;
    throw e;
  });
}

/** Deletes a VirtualMachineRestore (the simulator then releases its finalizer). */
export async function deleteRestore(a: Admin, namespace: string, name: string): Promise<void> {
  await a.custom.deleteNamespacedCustomObject({ ...RESTORES, namespace, name });
}

/** A PVC, or undefined when it does not exist. */
export async function getPvc(
  a: Admin,
  namespace: string,
  name: string,
): Promise<k8s.V1PersistentVolumeClaim | undefined> {
  return a.core.readNamespacedPersistentVolumeClaim({ name, namespace }).catch((e: unknown) => {
    if ((e as { code?: number }).code === 404) return undefined;
    throw e;
  });
}

/**
 * Checks that nothing snapshot-related is left in a namespace: no snapshot at once (a delete through the
 * provider returns only when it is gone), and its contents and VolumeSnapshots within `timeoutMs`
 * (KubeVirt releases a Succeeded snapshot's finalizer without waiting for its content, doc §3.9).
 */
export async function nothingLeft(a: Admin, namespace: string, timeoutMs = 15_000): Promise<void> {
  const now = await leftovers(a, namespace);
  if (now.snapshots.length) throw new Error(`snapshots left in ${namespace}: ${now.snapshots.join(", ")}`);
  await eventually(
    () => leftovers(a, namespace),
    (left) => left.snapshots.length === 0 && left.contents.length === 0 && left.volumeSnapshots.length === 0,
    `contents and VolumeSnapshots in ${namespace} gone`,
    timeoutMs,
  );
}

/** Merge-patches any object (apiVersion, kind, metadata.name and namespace identify it). */
export async function mergePatch(a: Admin, object: Record<string, unknown>): Promise<void> {
  await a.objects.patch(
    object as never,
    undefined,
    undefined,
    undefined,
    undefined,
    a.lib.PatchStrategy.MergePatch,
  );
}

/**
 * Creates the repository's least-privilege Role in `namespace` (without `withoutVerbs` in any rule) and
 * binds it to the ground's non-admin user `kvsnap-user`.
 */
export async function grantRole(a: Admin, namespace: string, withoutVerbs: string[] = []): Promise<void> {
  const role = a.lib.loadYaml<any>(readFileSync(join(REPO, "rbac", "vmsnapshot-role.yaml"), "utf8"));
  role.metadata.namespace = namespace;
  role.rules = role.rules.map((r: any) => ({
    ...r,
    verbs: r.verbs.filter((v: string) => !withoutVerbs.includes(v)),
  }));
  await a.objects.create(role);
  await a.objects.create({
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "RoleBinding",
    metadata: { name: "kvsnap-user", namespace },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
    subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "kvsnap-user" }],
  } as any);
}

/**
 * A server-side dry-run create of a valid snapshot.kubevirt.io object (`kind` in `plural`, with `spec`):
 * resolves to "allowed", or to the rejection text. For waiting until an admission change takes effect.
 */
export function dryRunProbe(
  a: Admin,
  namespace: string,
  plural: "virtualmachinesnapshots" | "virtualmachinerestores",
  kind: string,
  spec: Record<string, unknown>,
): () => Promise<string> {
  return () =>
    a.custom
      .createNamespacedCustomObject({
        group: "snapshot.kubevirt.io",
        version: "v1beta1",
        namespace,
        plural,
        dryRun: "All",
        body: { apiVersion: "snapshot.kubevirt.io/v1beta1", kind, metadata: { name: "probe" }, spec },
      })
      .then(
        () => "allowed",
        (e: unknown) => String((e as { body?: unknown }).body),
      );
}
