/**
 * The VirtualMachineSnapshotContent reconcile (`updateVMSnapshotContent`, semantics §3.5): thaw and release
 * when the snapshot goes, freeze once before creating VolumeSnapshots, copy their status, set creationTime
 * and thaw when all are cut (VSS limit → roll back and retry), aggregate errors and readiness.
 */
import { CONTENT, Kube, SNAPSHOT, SNAPSHOT_VERSION, VM, VOLUME_SNAPSHOT, type Obj } from "./kube";
import { deadlineExceeded, deadlineMs } from "./snapshot-status";
import { CONTENT_FINALIZER, type Timing } from "./snapshot-controller";
import { freeze, thaw } from "./source";

type Backup = {
  volumeName: string;
  volumeSnapshotName: string;
  persistentVolumeClaim: { metadata: { name?: string } };
};

const stamp = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, "Z");

async function createVolumeSnapshot(
  kube: Kube,
  content: Obj,
  vmName: string,
  backup: Backup,
  className: string,
): Promise<void> {
  const ns = content.metadata.namespace ?? "";
  await kube.create(VOLUME_SNAPSHOT, {
    apiVersion: "snapshot.storage.k8s.io/v1",
    kind: "VolumeSnapshot",
    metadata: {
      name: backup.volumeSnapshotName,
      namespace: ns,
      labels: {
        "snapshot.kubevirt.io/source-vm-name": vmName,
        "snapshot.kubevirt.io/source-vm-namespace": ns,
      },
      ownerReferences: [
        {
          apiVersion: `snapshot.kubevirt.io/${SNAPSHOT_VERSION}`,
          kind: "VirtualMachineSnapshotContent",
          name: content.metadata.name ?? "",
          uid: content.metadata.uid ?? "",
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      source: { persistentVolumeClaimName: backup.persistentVolumeClaim.metadata.name },
      volumeSnapshotClassName: className,
    },
  });
  await kube.event(
    content,
    "Normal",
    "SuccessfulVolumeSnapshotCreate",
    `Successfully created VolumeSnapshot ${backup.volumeSnapshotName}`,
  );
}

async function releaseContent(
  kube: Kube,
  content: Obj,
  vm: Obj | undefined,
  snapshotName: string,
): Promise<void> {
  if (vm) await thaw(kube, vm, snapshotName, content.metadata.uid ?? "").catch(() => undefined);
  if ((content.metadata.finalizers ?? []).includes(CONTENT_FINALIZER)) {
    await kube.patch(CONTENT, content.metadata.namespace, content.metadata.name ?? "", {
      metadata: {
        resourceVersion: content.metadata.resourceVersion,
        finalizers: (content.metadata.finalizers ?? []).filter((f) => f !== CONTENT_FINALIZER),
      },
    });
  }
}

async function writeStatus(kube: Kube, content: Obj, status: Record<string, unknown>): Promise<void> {
  if (JSON.stringify(status) !== JSON.stringify(content.status ?? {}))
    await kube.replaceStatus(CONTENT, { ...content, status });
}

function errorStatus(content: Obj, message: string): { time: string; message: string } {
  const current = content.status?.error as { time: string; message: string } | undefined;
  return current?.message === message ? current : { time: stamp(), message };
}

/** One reconcile of a content; returns the requeue delay, if any. */
export async function reconcileContent(
  kube: Kube,
  key: [string, string],
  timing: Timing,
  classOf: (pvcName: string, ns: string) => Promise<string | undefined>,
): Promise<number | undefined> {
  const [ns, name] = key;
  const content = await kube.get(CONTENT, ns, name);
  if (!content) return undefined;
  const snapshotName = content.spec?.virtualMachineSnapshotName as string;
  const snapshot = await kube.get(SNAPSHOT, ns, snapshotName);
  const vmName = (content.spec?.source?.virtualMachine?.metadata?.name as string | undefined) ?? "";
  const vm = await kube.get(VM, ns, vmName);
  if (!snapshot || snapshot.metadata.deletionTimestamp || deadlineExceeded(snapshot, Date.now())) {
    await releaseContent(kube, content, vm, snapshotName);
    return undefined;
  }
  if (content.metadata.deletionTimestamp) return timing.requeueMs;
  // The VM may be gone (deleted after it was unlocked): statuses are still copied; only freeze/thaw need it.

  const statuses: Record<string, unknown>[] = [];
  const deleted: string[] = [];
  let frozen = false;
  let created = true;
  let ready = true;
  let errorMessage: string | undefined;
  for (const backup of (content.spec?.volumeBackups ?? []) as Backup[]) {
    const vs = await kube.get(VOLUME_SNAPSHOT, ns, backup.volumeSnapshotName);
    if (!vs) {
      if (content.status?.creationTime) {
        deleted.push(backup.volumeSnapshotName);
        await kube.event(
          content,
          "Warning",
          "VolumeSnapshotMissing",
          `VolumeSnapshot ${backup.volumeSnapshotName} no longer exists`,
        );
        continue;
      }
      if (!frozen) {
        const freezeError = vm ? await freeze(kube, vm, snapshotName, deadlineMs(snapshot)) : undefined;
        if (freezeError) {
          await writeStatus(kube, content, {
            ...(content.status ?? {}),
            readyToUse: false,
            error: errorStatus(content, freezeError),
          });
          return timing.requeueMs;
        }
        frozen = true;
      }
      const className = await classOf(backup.persistentVolumeClaim.metadata.name ?? "", ns);
      await createVolumeSnapshot(kube, content, vmName, backup, className ?? "");
      created = false;
      ready = false;
      continue;
    }
    statuses.push({
      volumeSnapshotName: backup.volumeSnapshotName,
      creationTime: vs.status?.creationTime,
      readyToUse: vs.status?.readyToUse === true,
      ...(vs.status?.error ? { error: vs.status.error } : {}),
    });
    if (vs.status?.error?.message) {
      errorMessage = `VolumeSnapshot ${backup.volumeSnapshotName} error: ${vs.status.error.message as string}`;
      created = false;
      ready = false;
      break;
    }
    created &&= Boolean(vs.status?.creationTime);
    ready &&= vs.status?.readyToUse === true;
  }
  if (deleted.length) {
    created = false;
    ready = false;
    errorMessage = `VolumeSnapshots (${deleted.join(",")}) missing`;
  }
  const status: Record<string, unknown> = {
    ...(content.status ?? {}),
    volumeSnapshotStatus: statuses,
    readyToUse: ready,
  };
  let requeue: number | undefined;
  if (created && !content.status?.creationTime) {
    status["creationTime"] = stamp();
    const thawError = vm ? await thaw(kube, vm, snapshotName, content.metadata.uid ?? "") : undefined;
    if (thawError?.includes("fsfreeze is limited")) {
      delete status["creationTime"];
      errorMessage = thawError;
      requeue = timing.requeueMs;
    } else if (thawError) throw new Error(thawError);
  }
  if (errorMessage && !ready) status["error"] = errorStatus(content, errorMessage);
  else delete status["error"];
  await writeStatus(kube, content, status);
  return requeue;
}
