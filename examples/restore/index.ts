// Roll a VM back to a snapshot that was taken outside Pulumi (kubectl, a nightly job):
// adopt the snapshot (the import path for dynamic resources), then restore the VM from it.
import * as pulumi from "@pulumi/pulumi";
import { VMRestore, VMSnapshot } from "pulumi-kubevirt-snapshot";

const config = new pulumi.Config();
const namespace = config.get("namespace") ?? "default";

// adopt: true takes over the existing snapshot named by `name` (it must be of vmName and not Failed).
const snapshot = new VMSnapshot("known-good", {
  namespace,
  vmName: config.get("vmName") ?? "demo-vm",
  name: config.require("snapshotName"),
  adopt: true,
});

// The VM must be stopped: "FailImmediate" fails at once if it runs (stop it and run `pulumi up` again);
// "StopTarget" would let KubeVirt stop it.
const policy = config.get("targetReadinessPolicy") ?? "FailImmediate";
const rollback = new VMRestore("rollback", {
  snapshot,
  targetReadinessPolicy: policy as "FailImmediate" | "StopTarget" | "WaitGracePeriod" | "WaitEventually",
});

export const restoredFrom = snapshot.snapshotName;
export const complete = rollback.complete;
export const restoreTime = rollback.restoreTime;
export const restoredVolumes = rollback.restores;
