import { progressSummary, ProgressReporter } from "../../../provider/core/progress";
import type { VirtualMachineSnapshot } from "../../../provider/kube/types";

const snap = (status: VirtualMachineSnapshot["status"], deleting = false): VirtualMachineSnapshot => ({
  metadata: { name: "s", namespace: "n", ...(deleting ? { deletionTimestamp: "t" } : {}) },
  spec: { source: { apiGroup: "kubevirt.io", kind: "VirtualMachine", name: "vm" } },
  ...(status ? { status } : {}),
});

describe("progress", () => {
  it("summarises phase, Progressing reason, indications, readiness and error", () => {
    expect(
      progressSummary(
        snap({
          phase: "InProgress",
          indications: ["GuestAgent", "Online"],
          error: { message: "x" },
          conditions: [
            { type: "Progressing", status: "True", reason: "Source locked and operation in progress" },
          ],
        }),
      ),
    ).toBe(
      "phase InProgress; progressing: Source locked and operation in progress; indications: GuestAgent, Online; error: x",
    );
  });
  it("prints phase changes at once and throttles the rest", () => {
    const lines: string[] = [];
    let now = 0;
    const r = new ProgressReporter({
      prefix: "[r] ",
      log: { info: (l) => lines.push(l), warn: () => undefined },
      now: () => now,
      minIntervalMs: 1000,
    });
    r.observe(snap({ phase: "InProgress" }));
    r.observe(snap({ phase: "InProgress", indications: ["Online"] }));
    now = 1500;
    r.observe(snap({ phase: "InProgress", indications: ["GuestAgent", "Online"] }));
    r.observe(snap({ phase: "Succeeded", indications: ["GuestAgent", "Online"] }));
    r.observe(snap({ phase: "Succeeded", indications: ["GuestAgent", "Online"] }));
    expect(lines).toEqual([
      "[r] phase InProgress",
      "[r] phase InProgress; indications: GuestAgent, Online",
      "[r] phase Succeeded; indications: GuestAgent, Online",
    ]);
  });
});
