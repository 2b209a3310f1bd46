import { snapshotVerdict } from "../../../provider/snapshot/verdict";
import type { VirtualMachineSnapshot } from "../../../provider/kube/types";

const snap = (status: VirtualMachineSnapshot["status"], deleting = false): VirtualMachineSnapshot => ({
  metadata: { name: "s", namespace: "n", ...(deleting ? { deletionTimestamp: "t" } : {}) },
  spec: { source: { apiGroup: "kubevirt.io", kind: "VirtualMachine", name: "vm" } },
  ...(status ? { status } : {}),
});
const failure = { type: "Failure", status: "True", reason: "snapshot deadline exceeded" };

describe("snapshotVerdict", () => {
  it.each([
    ["no status yet", snap(undefined), "readyToUse", "pending"],
    ["InProgress", snap({ phase: "InProgress" }), "readyToUse", "pending"],
    [
      "Succeeded, not ready, waiting for readyToUse",
      snap({ phase: "Succeeded", readyToUse: false }),
      "readyToUse",
      "pending",
    ],
    [
      "Succeeded, not ready, waiting for succeeded",
      snap({ phase: "Succeeded", readyToUse: false }),
      "succeeded",
      "done",
    ],
    ["ready", snap({ phase: "Succeeded", readyToUse: true }), "readyToUse", "done"],
    ["Failed", snap({ phase: "Failed", conditions: [failure] }), "readyToUse", "failed"],
    [
      "Failure condition before phase",
      snap({ phase: "InProgress", conditions: [failure] }),
      "succeeded",
      "failed",
    ],
    ["Deleting", snap({ phase: "Deleting" }), "readyToUse", "failed"],
    ["deletionTimestamp", snap({ phase: "InProgress" }, true), "readyToUse", "failed"],
    ["gone", undefined, "readyToUse", "failed"],
  ] as const)("%s → %s", (_label, object, waitFor, kind) => {
    expect(snapshotVerdict(object, waitFor).kind).toBe(kind);
  });
  it("carries the Failure reason and KubeVirt's error message", () => {
    expect(
      snapshotVerdict(
        snap({ phase: "Failed", conditions: [failure], error: { message: "boom" } }),
        "readyToUse",
      ),
    ).toEqual({
      kind: "failed",
      reason: "snapshot deadline exceeded",
      message: "boom",
    });
  });
  it("reports the Progressing reason and a transient error while pending", () => {
    const v = snapshotVerdict(
      snap({
        phase: "InProgress",
        error: { message: "freeze" },
        conditions: [{ type: "Progressing", status: "False", reason: "In error state" }],
      }),
      "readyToUse",
    );
    expect(v).toEqual({ kind: "pending", progressing: "In error state", transientError: "freeze" });
  });
});
