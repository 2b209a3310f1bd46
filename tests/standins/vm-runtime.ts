/**
 * Stand-in for the runtime side of KubeVirt's VM controller and virt-handler, which need pods, nodes and
 * KVM: run strategy → a VMI in phase Running (or none), the VMI's AgentConnected/Paused conditions from the
 * scenario, the start ControllerRevision the snapshot controller reads (`revision-start-vm-<uid>-<generation>`,
 * as pkg/virt-controller/watch/vm/vm.go names it), and the VM status fields that controller owns. The fields
 * KubeVirt's snapshot and restore controllers write on the VM (`snapshotInProgress`, `restoreInProgress`,
 * `volumeSnapshotStatuses`, finalizers) are left to them: this writes its own fields only, by merge patch.
 */
import { Kube, VM, VMI, type Obj } from "./kube";
import { scenarioOf } from "./scenario";

/** Whether the VM should be running by its runStrategy / running field. */
export function wantsRunning(vm: Obj): boolean {
  const strategy = vm.spec?.runStrategy as string | undefined;
  if (strategy) return strategy === "Always" || strategy === "RerunOnFailure" || strategy === "Once";
  return vm.spec?.running === true;
}

/** The VMI conditions the scenario asks for. */
export function vmiConditions(vm: Obj, now: string): Record<string, unknown>[] {
  const scenario = scenarioOf(vm.metadata.annotations);
  const condition = (type: string, extra: Record<string, unknown> = {}) => ({
    type,
    status: "True",
    lastTransitionTime: now,
    lastProbeTime: null,
    ...extra,
  });
  const conditions = [condition("Ready")];
  if (scenario.agent !== "disconnected") conditions.push(condition("AgentConnected"));
  if (scenario.agent === "unsupported") conditions.push(condition("AgentVersionNotSupported"));
  if (scenario.paused) conditions.push(condition("Paused", { reason: "PausedByUser" }));
  return conditions;
}

/** The name KubeVirt's VM controller gives the revision a VMI starts from. */
export function startRevisionName(vm: Obj): string {
  return `revision-start-vm-${vm.metadata.uid ?? ""}-${String(vm.metadata.generation ?? 1)}`;
}

/** Creates the start ControllerRevision (`{"spec": <vm spec>}`, controller-owned by the VM) if missing. */
async function ensureStartRevision(kube: Kube, vm: Obj): Promise<string> {
  const namespace = vm.metadata.namespace ?? "";
  const name = startRevisionName(vm);
  await kube.apps
    .createNamespacedControllerRevision({
      namespace,
      body: {
        metadata: { name, namespace, ownerReferences: [ownerRef(vm)] },
        data: { spec: vm.spec },
        revision: vm.metadata.generation ?? 1,
      },
    })
    .catch((e: unknown) => {
      if ((e as { code?: number }).code !== 409) throw e;
    });
  return name;
}

function ownerRef(vm: Obj) {
  return {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachine",
    name: vm.metadata.name ?? "",
    uid: vm.metadata.uid ?? "",
    controller: true,
    blockOwnerDeletion: true,
  };
}

const sameConditions = (a: unknown[], b: unknown[]): boolean => {
  const shape = (list: unknown[]) =>
    JSON.stringify((list as { type: string; status: string }[]).map((c) => [c.type, c.status]));
  return shape(a) === shape(b);
};

/** Starts (or stops) the VMI. KubeVirt's VMI CRD has no status subresource: status goes with the object. */
async function ensureVmi(kube: Kube, vm: Obj, running: boolean): Promise<Obj | undefined> {
  const ns = vm.metadata.namespace ?? "";
  const name = vm.metadata.name ?? "";
  const vmi = await kube.get(VMI, ns, name);
  if (!running) {
    if (vmi && !vmi.metadata.deletionTimestamp) await kube.delete(VMI, ns, name);
    return undefined;
  }
  if (vmi?.metadata.deletionTimestamp) return undefined;
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
  const current =
    vmi ??
    (await kube.create(VMI, {
      apiVersion: "kubevirt.io/v1",
      kind: "VirtualMachineInstance",
      metadata: { name, namespace: ns, ownerReferences: [ownerRef(vm)] },
      spec: vm.spec?.template?.spec ?? {},
    }));
  const revision =
    (current.status?.virtualMachineRevisionName as string | undefined) ??
    (await ensureStartRevision(kube, vm));
  const conditions = vmiConditions(vm, now);
  if (
    current.status?.phase !== "Running" ||
    current.status?.virtualMachineRevisionName !== revision ||
    !sameConditions(current.status?.conditions ?? [], conditions)
  ) {
    return kube.patch(VMI, ns, name, {
      status: { phase: "Running", conditions, virtualMachineRevisionName: revision },
    });
  }
  return current;
}

/** One reconcile of a VM: its VMI, then the VM status fields the VM controller owns. */
export async function reconcileVm(kube: Kube, key: [string, string]): Promise<number | undefined> {
  const [ns, name] = key;
  const vm = await kube.get(VM, ns, name);
  if (!vm) return undefined;
  const vmi = await ensureVmi(kube, vm, wantsRunning(vm) && !vm.metadata.deletionTimestamp);
  const mirrored = ((vmi?.status?.conditions ?? []) as { type: string }[]).filter(
    (c) => !["Ready", "Failure", "RestartRequired"].includes(c.type),
  );
  const status = {
    printableStatus: vmi ? (mirrored.some((c) => c.type === "Paused") ? "Paused" : "Running") : "Stopped",
    ready: vmi !== undefined,
    created: vmi !== undefined,
    conditions: mirrored,
  };
  const current = {
    printableStatus: vm.status?.printableStatus,
    ready: vm.status?.ready,
    created: vm.status?.created,
    conditions: vm.status?.conditions ?? [],
  };
  if (JSON.stringify(current) !== JSON.stringify(status)) await kube.patchStatus(VM, ns, name, { status });
  return undefined;
}
