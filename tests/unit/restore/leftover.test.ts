import type { VirtualMachineRestore } from "../../../provider/kube/types";
import { leftoverMismatch } from "../../../provider/restore/leftover";

const restoreOf = (snapshot: string, vm: string): VirtualMachineRestore => ({
  metadata: { namespace: "prod", name: "r" },
  spec: {
    target: { apiGroup: "kubevirt.io", kind: "VirtualMachine", name: vm },
    virtualMachineSnapshotName: snapshot,
  },
});

const wanted = { namespace: "prod", name: "r", snapshotName: "snap-1", targetVm: "db-1" };

describe("leftoverMismatch", () => {
  it("accepts the restore asked for", () => {
    expect(leftoverMismatch(restoreOf("snap-1", "db-1"), wanted)).toBeUndefined();
  });

  it("names every difference: another snapshot and another target VM", () => {
    expect(leftoverMismatch(restoreOf("snap-0", "db-2"), wanted)).toBe(
      'the VirtualMachineRestore prod/r, left by an earlier run of this resource, restores snapshot "snap-0", ' +
        'not "snap-1" and VM "db-2", not "db-1"; nothing was changed. Fix: delete it (kubectl delete ' +
        "virtualmachinerestore -n prod r) and run pulumi up again, or choose another name (or leave name unset).",
    );
  });

  it("refuses a leftover restoring into another VM alone", () => {
    expect(leftoverMismatch(restoreOf("snap-1", "db-2"), wanted)).toContain(
      'restores VM "db-2", not "db-1";',
    );
  });
});
