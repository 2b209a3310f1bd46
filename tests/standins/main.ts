/**
 * kvsnap-simulator: stands in for KubeVirt's controllers (VM, snapshot, content, restore) and the actors a
 * bare apiserver lacks (PVC binder, pvc-protection, CSI snapshotter, garbage collection of VolumeSnapshots
 * and of a deleted VM's restores and restored PVCs). Run with
 * `node dist/tests/simulator/main.js --kubeconfig <admin kubeconfig>`; prints `SIMULATOR READY` once its
 * watches are up. See tests/cluster/README.md for what it models and where it differs from KubeVirt.
 */
import {
  CONTENT,
  Kube,
  keyOf,
  RESTORE,
  SNAPSHOT,
  splitKey,
  VM,
  VMI,
  VOLUME_SNAPSHOT,
  VOLUME_SNAPSHOT_CLASS,
  watchCollection,
  WorkQueue,
  type Obj,
} from "./kube";
import { reconcileContent } from "./content-controller";
import { collectVmDependents, reconcileRestore, type RestoreTiming } from "./restore-controller";
import { DEFAULT_GRACE_MS, type VolumeRestore } from "./restore-plan";
import { contentName, reconcileSnapshot, type Timing } from "./snapshot-controller";
import {
  bindPvc,
  collectOwnedVolumeSnapshots,
  driveVolumeSnapshot,
  releaseDeletedPvc,
  resolveForPvc,
} from "./storage";
import { reconcileVm } from "./vm-controller";

const log = (line: string): void => console.error(`[simulator] ${line}`);
/** Logs a failed background step; the periodic resync retries it. */
const report = (e: unknown): void =>
  log(`background step failed: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
// A controller must not die on one failed call (e.g. a 429 while CRD storage initialises): log and go on.
process.on("unhandledRejection", report);

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** The restore queue and what enqueues a restore: its target VM/VMI, its snapshot, its restored PVCs. */
function restoreWiring(kube: Kube, timing: RestoreTiming) {
  const queue = new WorkQueue("vmrestore", (key) => reconcileRestore(kube, splitKey(key), timing), log);
  const where = (ns: string, match: (restore: Obj) => boolean): void => {
    void (async () => {
      for (const r of await kube.list(RESTORE, ns)) if (match(r)) queue.add(keyOf(r));
    })().catch(report);
  };
  return {
    queue,
    ofTarget: (o: Obj) => where(o.metadata.namespace ?? "", (r) => r.spec?.target?.name === o.metadata.name),
    ofSnapshot: (ns: string, snapshot: string) =>
      where(ns, (r) => r.spec?.virtualMachineSnapshotName === snapshot),
    ofPvc: (pvc: Obj) =>
      where(pvc.metadata.namespace ?? "", (r) =>
        ((r.status?.restores ?? []) as VolumeRestore[]).some(
          (v) => v.persistentVolumeClaim === pvc.metadata.name,
        ),
      ),
  };
}

async function main(): Promise<void> {
  const lib = await import("@kubernetes/client-node");
  const kc = new lib.KubeConfig();
  kc.loadFromFile(arg("kubeconfig") ?? process.env["KUBECONFIG"] ?? "");
  const kube = new Kube(lib, kc);
  const timing: Timing = { requeueMs: Number(process.env["KVSNAP_SIM_REQUEUE_MS"] ?? 1000) };

  const restores = restoreWiring(kube, {
    requeueMs: timing.requeueMs,
    graceMs: Number(process.env["KVSNAP_SIM_RESTORE_GRACE_MS"] ?? DEFAULT_GRACE_MS),
  });
  const vms = new WorkQueue("vm", (key) => reconcileVm(kube, splitKey(key)), log);
  const snapshots = new WorkQueue("vmsnapshot", (key) => reconcileSnapshot(kube, splitKey(key), timing), log);
  const classOf = async (pvcName: string, ns: string): Promise<string | undefined> => {
    const pvc = await kube.core
      .readNamespacedPersistentVolumeClaim({ name: pvcName, namespace: ns })
      .catch(() => undefined);
    const resolved = pvc?.spec?.storageClassName
      ? await resolveForPvc(kube, pvc.spec.storageClassName)
      : undefined;
    return resolved?.kind === "class" ? resolved.name : undefined;
  };
  const contents = new WorkQueue(
    "vmsnapshotcontent",
    (key) => reconcileContent(kube, splitKey(key), timing, classOf),
    log,
  );
  const pvcs = new WorkQueue(
    "pvc-binder",
    async (key) => {
      await bindPvc(kube, ...splitKey(key));
      await releaseDeletedPvc(kube, ...splitKey(key));
      return undefined;
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

  const snapshotsOfVm = async (ns: string, vmName: string): Promise<void> => {
    for (const s of await kube.list(SNAPSHOT, ns))
      if (s.spec?.source?.name === vmName) snapshots.add(keyOf(s));
  };
  const allVms = async (): Promise<void> => {
    for (const vm of await kube.list(VM)) vms.add(keyOf(vm));
  };
  const crPath = (c: { group: string; version: string; plural: string }) =>
    `/apis/${c.group}/${c.version}/${c.plural}`;
  const crList = (c: typeof VM) => () =>
    kube.custom.listClusterCustomObject({ group: c.group, version: c.version, plural: c.plural }) as never;

  const watches = [
    watchCollection(
      kube,
      crPath(VM),
      crList(VM),
      (vm, type) => {
        vms.add(keyOf(vm));
        snapshotsOfVm(vm.metadata.namespace ?? "", vm.metadata.name ?? "").catch(report);
        restores.ofTarget(vm);
        if (type === "delete")
          collectVmDependents(kube, vm.metadata.namespace ?? "", vm.metadata.uid ?? "").catch(report);
      },
      log,
    ),
    watchCollection(
      kube,
      crPath(VMI),
      crList(VMI),
      (vmi) => {
        vms.add(keyOf(vmi));
        snapshotsOfVm(vmi.metadata.namespace ?? "", vmi.metadata.name ?? "").catch(report);
        restores.ofTarget(vmi);
      },
      log,
    ),
    watchCollection(
      kube,
      crPath(SNAPSHOT),
      crList(SNAPSHOT),
      (s, type) => {
        if (type !== "delete") snapshots.add(keyOf(s));
        contents.add(`${s.metadata.namespace ?? ""}/${contentName(s)}`);
        restores.ofSnapshot(s.metadata.namespace ?? "", s.metadata.name ?? "");
      },
      log,
    ),
    watchCollection(
      kube,
      crPath(CONTENT),
      crList(CONTENT),
      (c: Obj, type) => {
        if (type === "delete")
          void collectOwnedVolumeSnapshots(kube, c.metadata.namespace ?? "", c.metadata.uid ?? "").catch(
            () => undefined,
          );
        else contents.add(keyOf(c));
        const snapshotName = (c.spec?.virtualMachineSnapshotName as string | undefined) ?? "";
        snapshots.add(`${c.metadata.namespace ?? ""}/${snapshotName}`);
        restores.ofSnapshot(c.metadata.namespace ?? "", snapshotName);
      },
      log,
    ),
    watchCollection(
      kube,
      crPath(VOLUME_SNAPSHOT),
      crList(VOLUME_SNAPSHOT),
      (vs, type) => {
        if (type !== "delete") csi.add(keyOf(vs));
        for (const owner of vs.metadata.ownerReferences ?? [])
          if (owner.kind === "VirtualMachineSnapshotContent")
            contents.add(`${vs.metadata.namespace ?? ""}/${owner.name}`);
      },
      log,
    ),
    watchCollection(
      kube,
      crPath(VOLUME_SNAPSHOT_CLASS),
      crList(VOLUME_SNAPSHOT_CLASS),
      () => void allVms().catch(report),
      log,
    ),
    watchCollection(
      kube,
      "/api/v1/persistentvolumeclaims",
      () => kube.core.listPersistentVolumeClaimForAllNamespaces() as never,
      (pvc) => {
        pvcs.add(keyOf(pvc));
        allVms().catch(report);
        restores.ofPvc(pvc);
      },
      log,
    ),
    watchCollection(
      kube,
      crPath(RESTORE),
      crList(RESTORE),
      (r, type) => {
        if (type !== "delete") restores.queue.add(keyOf(r));
      },
      log,
    ),
    watchCollection(
      kube,
      "/apis/storage.k8s.io/v1/storageclasses",
      () => kube.storage.listStorageClass() as never,
      () => void allVms().catch(report),
      log,
    ),
  ];
  // A periodic resync, as KubeVirt's informers have (5 min there; shorter here so restarts heal quickly).
  const resync = setInterval(
    () => {
      void (async () => {
        for (const s of await kube.list(SNAPSHOT).catch(() => [] as Obj[])) snapshots.add(keyOf(s));
        for (const c of await kube.list(CONTENT).catch(() => [] as Obj[])) contents.add(keyOf(c));
        for (const vs of await kube.list(VOLUME_SNAPSHOT).catch(() => [] as Obj[])) csi.add(keyOf(vs));
        for (const r of await kube.list(RESTORE).catch(() => [] as Obj[])) restores.queue.add(keyOf(r));
        await allVms().catch(() => undefined);
      })();
    },
    Number(process.env["KVSNAP_SIM_RESYNC_MS"] ?? 10_000),
  );

  const stop = (): void => {
    clearInterval(resync);
    for (const w of watches) w.stop();
    for (const q of [vms, snapshots, contents, pvcs, csi, restores.queue]) q.stop();
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  console.log("SIMULATOR READY");
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
