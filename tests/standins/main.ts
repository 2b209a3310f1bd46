/**
 * kvsnap-standins: what KubeVirt's snapshot and restore controllers call outside themselves, and what a bare
 * apiserver lacks. Nothing here plays a KubeVirt controller (those run from KubeVirt's own code, tests/kubevirt):
 * - virt-api's `subresources.kubevirt.io/v1` (freeze, unfreeze, stop) behind an APIService (virt-api.ts);
 * - the runtime side of the VM controller: VMI, its conditions, the start ControllerRevision (vm-runtime.ts);
 * - the PVC binder, pvc-protection and the CSI snapshotter (storage.ts); garbage collection, background and
 *   foreground (gc.ts).
 * Run with `node dist/tests/standins/main.js --kubeconfig <admin kubeconfig> --cert-dir <dir of kvsnap-kubevirt>`;
 * prints `STANDINS READY` once its watches are up and the APIService is Available.
 */
import {
  Kube,
  keyOf,
  splitKey,
  CONTENT,
  RESTORE,
  SNAPSHOT,
  VM,
  VMI,
  VOLUME_SNAPSHOT,
  watchCollection,
  WorkQueue,
  type Obj,
} from "./kube";
import {
  collectDependents,
  deletingInForeground,
  finishForegroundDeletion,
  type ForegroundOwner,
} from "./gc";
import { bindPvc, driveVolumeSnapshot, releaseDeletedPvc, takeHeld } from "./storage";
import { Guests, registerApiService, serveVirtApi } from "./virt-api";
import { reconcileVm } from "./vm-runtime";

// The ground prefixes each line with the process it came from.
const log = (line: string): void => console.error(line);
/** Logs a failed background step; the periodic resync retries it. */
const report = (e: unknown): void =>
  log(`background step failed: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
// A stand-in must not die on one failed call (e.g. a 429 while CRD storage initialises): log and go on.
process.on("unhandledRejection", report);

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function waitAvailable(kube: Kube): Promise<void> {
  const objects = kube.lib.KubernetesObjectApi.makeApiClient(kube.kc);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const live = (await objects
      .read({
        apiVersion: "apiregistration.k8s.io/v1",
        kind: "APIService",
        metadata: { name: "v1.subresources.kubevirt.io" },
      })
      .catch(() => undefined)) as
      { status?: { conditions?: { type: string; status: string; message?: string }[] } } | undefined;
    const available = live?.status?.conditions?.find((c) => c.type === "Available");
    if (available?.status === "True") return;
    if (Date.now() > deadline)
      throw new Error(`APIService v1.subresources.kubevirt.io not Available: ${JSON.stringify(available)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function main(): Promise<void> {
  const lib = await import("@kubernetes/client-node");
  const kc = new lib.KubeConfig();
  kc.loadFromFile(arg("kubeconfig") ?? process.env["KUBECONFIG"] ?? "");
  const kube = new Kube(lib, kc);
  const certDir = arg("cert-dir");
  if (!certDir)
    throw new Error("--cert-dir is required (kvsnap-kubevirt writes its serving certificate there)");

  const guests = new Guests(kube);
  const virtApi = await serveVirtApi(guests, certDir, log);
  await registerApiService(kube, virtApi.port);

  const vms = new WorkQueue("vm-runtime", (key) => reconcileVm(kube, splitKey(key)), log);
  // Owners deleted in the foreground (pulumi-kubernetes' default): VMs and PVCs, let go once their dependents are.
  const vmOwner = (ns: string, name: string): ForegroundOwner => ({
    read: () => kube.get(VM, ns, name),
    setFinalizers: (live, finalizers) =>
      kube.patch(VM, ns, name, { metadata: { resourceVersion: live.metadata.resourceVersion, finalizers } }),
  });
  const pvcOwner = (namespace: string, name: string): ForegroundOwner => ({
    read: () =>
      kube.core.readNamespacedPersistentVolumeClaim({ name, namespace }).then(
        (pvc) => pvc as Obj,
        () => undefined,
      ),
    setFinalizers: (live, finalizers) =>
      kube.core.patchNamespacedPersistentVolumeClaim(
        {
          name,
          namespace,
          body: { metadata: { resourceVersion: live.metadata.resourceVersion, finalizers } },
        },
        kube.lib.setHeaderOptions("Content-Type", kube.lib.PatchStrategy.MergePatch),
      ),
  });
  const vmForeground = new WorkQueue(
    "gc-foreground",
    (key) => finishForegroundDeletion(kube, vmOwner(...splitKey(key))),
    log,
  );
  const pvcs = new WorkQueue(
    "pvc-binder",
    async (key) => {
      await bindPvc(kube, ...splitKey(key));
      await releaseDeletedPvc(kube, ...splitKey(key));
      return finishForegroundDeletion(kube, pvcOwner(...splitKey(key)));
    },
    log,
  );
  const csi = new WorkQueue(
    "csi-snapshotter",
    async (key) => {
      await driveVolumeSnapshot(kube, ...splitKey(key));
      return undefined;
    },
    log,
  );
  const gc = (o: Obj): void =>
    void collectDependents(kube, o.metadata.namespace ?? "", o.metadata.uid ?? "").catch(report);
  const crPath = (c: { group: string; version: string; plural: string }) =>
    `/apis/${c.group}/${c.version}/${c.plural}`;
  const crList = (c: typeof VM) => () =>
    kube.custom.listClusterCustomObject({ group: c.group, version: c.version, plural: c.plural }) as never;
  const onDelete = (c: typeof VM) =>
    watchCollection(kube, crPath(c), crList(c), (o, type) => type === "delete" && gc(o), log);

  const watches = [
    watchCollection(
      kube,
      crPath(VM),
      crList(VM),
      (vm, type) => {
        if (type === "delete") return gc(vm);
        vms.add(keyOf(vm));
        if (deletingInForeground(vm)) vmForeground.add(keyOf(vm));
        // A scenario change may release VolumeSnapshots held by `hold-ready`.
        for (const key of takeHeld(keyOf(vm))) csi.add(key);
      },
      log,
    ),
    watchCollection(kube, crPath(VMI), crList(VMI), (vmi) => vms.add(keyOf(vmi)), log),
    watchCollection(
      kube,
      crPath(VOLUME_SNAPSHOT),
      crList(VOLUME_SNAPSHOT),
      (vs, type) => type !== "delete" && csi.add(keyOf(vs)),
      log,
    ),
    watchCollection(
      kube,
      "/api/v1/persistentvolumeclaims",
      () => kube.core.listPersistentVolumeClaimForAllNamespaces() as never,
      (pvc) => pvcs.add(keyOf(pvc)),
      log,
    ),
    watchCollection(
      kube,
      "/api/v1/pods",
      () => kube.core.listPodForAllNamespaces() as never,
      (pod, type) => {
        if (type === "delete")
          void kube.core
            .listNamespacedPersistentVolumeClaim({ namespace: pod.metadata.namespace ?? "" })
            .then((list) => {
              for (const p of list.items)
                pvcs.add(`${p.metadata?.namespace ?? ""}/${p.metadata?.name ?? ""}`);
            })
            .catch(report);
      },
      log,
    ),
    onDelete(SNAPSHOT),
    onDelete(CONTENT),
    onDelete(RESTORE),
  ];
  // A periodic resync, so an apiserver restart heals (informers re-list, but a timer may have been lost).
  const resync = setInterval(
    () => {
      void (async () => {
        for (const vm of await kube.list(VM).catch(() => [] as Obj[])) vms.add(keyOf(vm));
        for (const vs of await kube.list(VOLUME_SNAPSHOT).catch(() => [] as Obj[])) csi.add(keyOf(vs));
      })();
    },
    Number(process.env["KVSNAP_STANDINS_RESYNC_MS"] ?? 10_000),
  );
  await waitAvailable(kube);

  const stop = (): void => {
    clearInterval(resync);
    guests.close();
    virtApi.server.close();
    for (const w of watches) w.stop();
    for (const q of [vms, vmForeground, pvcs, csi]) q.stop();
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  console.log(`STANDINS READY virt-api 127.0.0.1:${virtApi.port}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
