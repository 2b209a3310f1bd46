/**
 * The snapshot source (the VM): lock and unlock (semantics §3.3.1), freeze and thaw through the VMI's
 * `fsFreezeStatus` (standing in for virt-api/virt-handler/virt-launcher, §3.5, §7), and the VM copy for
 * the content (§3.4).
 */
import { isConflictOrGone, Kube, VM, VMI, type Obj } from "./kube";
import { scenarioOf } from "./scenario";
import { claimVolumes } from "./volumes";

/** The VM finalizer that holds a VM while a snapshot is locked on it. */
export const SOURCE_FINALIZER = "snapshot.kubevirt.io/snapshot-source-protection";

/** Whether the VM is locked by the named snapshot: status + finalizer. */
export function isLockedBy(vm: Obj, snapshotName: string): boolean {
  return (
    vm.status?.snapshotInProgress === snapshotName &&
    (vm.metadata.finalizers ?? []).includes(SOURCE_FINALIZER)
  );
}

/** Tries to lock the VM for a snapshot; returns undefined when locked, else the "Source not locked…" reason. */
export async function lockSource(
  kube: Kube,
  vm: Obj,
  vmi: Obj | undefined,
  snapshotName: string,
): Promise<string | undefined> {
  const ns = vm.metadata.namespace ?? "";
  const ref = `${ns}/${vm.metadata.name ?? ""}`;
  const claims = claimVolumes(vm).map((c) => c.claimName);
  for (const claim of claims) {
    const pvc = await kube.core
      .readNamespacedPersistentVolumeClaim({ name: claim, namespace: ns })
      .catch(() => undefined);
    if (!pvc) return `Source not locked source ${ref} volume doesnt exist: ${claim}`;
    if (pvc.metadata?.deletionTimestamp)
      return `Source not locked source ${ref} volume is being deleted: ${claim}`;
    if (pvc.status?.phase !== "Bound") return `Source not locked source ${ref} volume not bound: ${claim}`;
  }
  if (!vmi && claims.length) {
    const pods = await kube.core.listNamespacedPod({ namespace: ns });
    const using = pods.items.filter(
      (p) =>
        p.status?.phase !== "Succeeded" &&
        (p.spec?.volumes ?? []).some((v) => claims.includes(v.persistentVolumeClaim?.claimName ?? "")),
    );
    if (using.length)
      return `Source not locked source is offline but ${using.length} pods using PVCs [${claims.join(" ")}]`;
  }
  const holder = vm.status?.snapshotInProgress as string | undefined;
  if (holder && holder !== snapshotName) return `Source not locked snapshot "${holder}" in progress`;
  if (holder !== snapshotName) {
    await kube.patchStatus(VM, ns, vm.metadata.name ?? "", {
      metadata: { resourceVersion: vm.metadata.resourceVersion },
      status: { snapshotInProgress: snapshotName },
    });
  }
  const fresh = await kube.get(VM, ns, vm.metadata.name ?? "");
  if (fresh && !(fresh.metadata.finalizers ?? []).includes(SOURCE_FINALIZER)) {
    await kube.patch(VM, ns, fresh.metadata.name ?? "", {
      metadata: {
        resourceVersion: fresh.metadata.resourceVersion,
        finalizers: [...(fresh.metadata.finalizers ?? []), SOURCE_FINALIZER],
      },
    });
  }
  return undefined;
}

/** Unlocks the VM if this snapshot holds it: finalizer first, then the status field. */
export async function unlockSource(kube: Kube, vm: Obj, snapshotName: string): Promise<void> {
  if (vm.status?.snapshotInProgress !== snapshotName) return;
  const ns = vm.metadata.namespace ?? "";
  const name = vm.metadata.name ?? "";
  if ((vm.metadata.finalizers ?? []).includes(SOURCE_FINALIZER)) {
    await kube.patch(VM, ns, name, {
      metadata: {
        resourceVersion: vm.metadata.resourceVersion,
        finalizers: (vm.metadata.finalizers ?? []).filter((f) => f !== SOURCE_FINALIZER),
      },
    });
  }
  const fresh = await kube.get(VM, ns, name);
  if (fresh?.status?.snapshotInProgress === snapshotName) {
    await kube.patchStatus(VM, ns, name, {
      metadata: { resourceVersion: fresh.metadata.resourceVersion },
      status: { snapshotInProgress: null },
    });
  }
}

const safetyThaws = new Map<string, NodeJS.Timeout>();
const thawFailuresLeft = new Map<string, number>();

/** Freezes the guest (virt-api `freeze`): an error text on failure, undefined when frozen or nothing to freeze. */
export async function freeze(
  kube: Kube,
  vm: Obj,
  snapshotName: string,
  unfreezeTimeoutMs: number,
): Promise<string | undefined> {
  if (!isLockedBy(vm, snapshotName)) return "attempting to freeze unlocked VM";
  const ns = vm.metadata.namespace ?? "";
  const name = vm.metadata.name ?? "";
  const vmi = await kube.get(VMI, ns, name);
  if (!vmi) return undefined;
  const conditions = (vmi.status?.conditions ?? []) as { type: string; status: string }[];
  if (vmi.status?.fsFreezeStatus === "frozen") return undefined;
  if (conditions.some((c) => c.type === "Paused" && c.status === "True")) return undefined;
  if (!conditions.some((c) => c.type === "AgentConnected")) return undefined;
  if (vmi.status?.phase !== "Running") return `Operation cannot be fulfilled: VMI is not running (409)`;
  const scenario = scenarioOf(vm.metadata.annotations);
  if (scenario.freezeError) {
    await kube.event(vmi, "Warning", "FreezeError", `Failed to freeze VMI: ${scenario.freezeError}`);
    return scenario.freezeError;
  }
  await kube.patchStatus(VMI, ns, name, { status: { fsFreezeStatus: "frozen" } });
  const key = `${ns}/${name}`;
  clearTimeout(safetyThaws.get(key));
  if (unfreezeTimeoutMs > 0) {
    safetyThaws.set(
      key,
      setTimeout(
        () =>
          void kube.patchStatus(VMI, ns, name, { status: { fsFreezeStatus: null } }).catch(() => undefined),
        unfreezeTimeoutMs,
      ),
    );
  }
  return undefined;
}

/** Thaws the guest (virt-api `unfreeze`): an error text on failure (the injected VSS limit once per content). */
export async function thaw(
  kube: Kube,
  vm: Obj,
  snapshotName: string,
  contentUid: string,
): Promise<string | undefined> {
  if (!isLockedBy(vm, snapshotName)) return undefined;
  const ns = vm.metadata.namespace ?? "";
  const name = vm.metadata.name ?? "";
  const vmi = await kube.get(VMI, ns, name);
  if (!vmi) return undefined;
  const conditions = (vmi.status?.conditions ?? []) as { type: string; status: string }[];
  if (
    conditions.some((c) => c.type === "Paused" && c.status === "True") ||
    !conditions.some((c) => c.type === "AgentConnected")
  )
    return undefined;
  const scenario = scenarioOf(vm.metadata.annotations);
  if (scenario.thawError && !thawFailuresLeft.has(contentUid)) thawFailuresLeft.set(contentUid, 1);
  const left = thawFailuresLeft.get(contentUid) ?? 0;
  clearTimeout(safetyThaws.get(`${ns}/${name}`));
  await kube.patchStatus(VMI, ns, name, { status: { fsFreezeStatus: null } }).catch((e: unknown) => {
    if (!isConflictOrGone(e)) throw e;
  });
  if (left > 0 && scenario.thawError) {
    thawFailuresLeft.set(contentUid, left - 1);
    return scenario.thawError;
  }
  return undefined;
}

/** The VM copy stored in the content: metadata without managedFields, the spec, and status (empty offline). */
export function vmCopy(vm: Obj, online: boolean): Obj {
  const { managedFields: _managed, ...metadata } = vm.metadata;
  return {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachine",
    metadata,
    spec: vm.spec,
    status: online ? (vm.status ?? {}) : {},
  };
}
