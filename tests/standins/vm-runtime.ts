/**
 * The VM side of KubeVirt that snapshots depend on: run strategy → a VMI in phase Running (or none), the
 * VMI's AgentConnected/Paused conditions from the scenario, the VM status mirroring them, and the per-VM
 * `volumeSnapshotStatuses` worker (semantics §2.6, §3.2).
 */
import { Kube, VM, VMI, VOLUME_SNAPSHOT_CLASS, type Obj } from "./kube";
import { scenarioOf } from "./scenario";
import { claimOf, vmVolumes, volumeSnapshotStatus } from "./volumes";

/** Whether the VM should be running by its runStrategy / running field. */
export function wantsRunning(vm: Obj): boolean {
  const strategy = vm.spec?.runStrategy as string | undefined;
  if (strategy) return strategy === "Always" || strategy === "RerunOnFailure" || strategy === "Once";
  return vm.spec?.running === true;
}

/** The VMI conditions the scenario asks for. */
export function vmiConditions(vm: Obj, now: string): Record<string, unknown>[] {
  const scenario = scenarioOf(vm.metadata.annotations);
  const conditions: Record<string, unknown>[] = [
    { type: "Ready", status: "True", lastTransitionTime: now, lastProbeTime: null },
  ];
  if (scenario.agent === "connected" || scenario.agent === "unsupported")
    conditions.push({ type: "AgentConnected", status: "True", lastTransitionTime: now, lastProbeTime: null });
  if (scenario.agent === "unsupported")
    conditions.push({
      type: "AgentVersionNotSupported",
      status: "True",
      lastTransitionTime: now,
      lastProbeTime: null,
    });
  if (scenario.paused)
    conditions.push({
      type: "Paused",
      status: "True",
      reason: "PausedByUser",
      lastTransitionTime: now,
      lastProbeTime: null,
    });
  return conditions;
}

async function ensureVmi(kube: Kube, vm: Obj, running: boolean): Promise<Obj | undefined> {
  const ns = vm.metadata.namespace ?? "";
  const name = vm.metadata.name ?? "";
  const vmi = await kube.get(VMI, ns, name);
  if (!running) {
    if (vmi) await kube.delete(VMI, ns, name);
    return undefined;
  }
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
  const current =
    vmi ??
    (await kube.create(VMI, {
      apiVersion: "kubevirt.io/v1",
      kind: "VirtualMachineInstance",
      metadata: {
        name,
        namespace: ns,
        ownerReferences: [
          {
            apiVersion: "kubevirt.io/v1",
            kind: "VirtualMachine",
            name,
            uid: vm.metadata.uid ?? "",
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: vm.spec?.template?.spec ?? {},
    }));
  const wanted = vmiConditions(vm, now);
  const same = (a: unknown[], b: unknown[]) =>
    JSON.stringify((a as { type: string; status: string }[]).map((c) => [c.type, c.status])) ===
    JSON.stringify((b as { type: string; status: string }[]).map((c) => [c.type, c.status]));
  if (current.status?.phase !== "Running" || !same(current.status?.conditions ?? [], wanted)) {
    return kube.patchStatus(VMI, ns, name, { status: { phase: "Running", conditions: wanted } });
  }
  return current;
}

async function volumeStatuses(kube: Kube, vm: Obj): Promise<unknown[]> {
  const ns = vm.metadata.namespace ?? "";
  const classes = await kube.list(VOLUME_SNAPSHOT_CLASS).catch(() => [] as Obj[]);
  const result = [];
  for (const volume of vmVolumes(vm)) {
    const claim = claimOf(volume);
    const pvc = claim
      ? await kube.core
          .readNamespacedPersistentVolumeClaim({ name: claim, namespace: ns })
          .catch(() => undefined)
      : undefined;
    const scName = pvc?.spec?.storageClassName;
    const sc = scName
      ? await kube.storage.readStorageClass({ name: scName }).catch(() => undefined)
      : undefined;
    const pvcObj = pvc ? ({ metadata: { name: pvc.metadata?.name }, spec: pvc.spec } as Obj) : undefined;
    result.push(
      volumeSnapshotStatus(
        volume,
        pvcObj,
        sc ? { metadata: { name: sc.metadata?.name ?? "" }, provisioner: sc.provisioner } : undefined,
        classes,
      ),
    );
  }
  return result;
}

/** One reconcile of a VM. */
export async function reconcileVm(kube: Kube, key: [string, string]): Promise<number | undefined> {
  const [ns, name] = key;
  const vm = await kube.get(VM, ns, name);
  if (!vm) {
    await kube.delete(VMI, ns, name);
    return undefined;
  }
  const vmi = await ensureVmi(kube, vm, wantsRunning(vm) && !vm.metadata.deletionTimestamp);
  const mirrored = ((vmi?.status?.conditions ?? []) as { type: string }[]).filter(
    (c) => !["Ready", "Failure", "RestartRequired"].includes(c.type),
  );
  const status = {
    printableStatus: vmi ? (mirrored.some((c) => c.type === "Paused") ? "Paused" : "Running") : "Stopped",
    ready: vmi !== undefined,
    created: vmi !== undefined,
    conditions: mirrored,
    volumeSnapshotStatuses: await volumeStatuses(kube, vm),
  };
  const current = {
    printableStatus: vm.status?.printableStatus,
    ready: vm.status?.ready,
    created: vm.status?.created,
    conditions: vm.status?.conditions ?? [],
    volumeSnapshotStatuses: vm.status?.volumeSnapshotStatuses ?? [],
  };
  if (JSON.stringify(current) !== JSON.stringify(status)) await kube.patchStatus(VM, ns, name, { status });
  return undefined;
}
