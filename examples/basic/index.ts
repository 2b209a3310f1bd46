// Snapshot an existing KubeVirt VM before a risky change and report what kind of snapshot it is.
import * as pulumi from "@pulumi/pulumi";
import { VMSnapshot } from "pulumi-kubevirt-snapshot";

const config = new pulumi.Config();
const trigger = config.get("trigger");

const snap = new VMSnapshot("before-upgrade", {
  namespace: config.get("namespace") ?? "default",
  vmName: config.get("vmName") ?? "demo-vm",
  failureDeadline: config.get("failureDeadline") ?? "10m",
  onFailure: config.get("onFailure") === "delete" ? "delete" : "keep",
  // Change the trigger (e.g. to the version you are about to roll out) to take a new snapshot.
  triggers: trigger ? [trigger] : [],
});

export const snapshotName = snap.snapshotName;
export const phase = snap.phase;
export const readyToUse = snap.readyToUse;
export const guestAgentConnected = snap.guestAgentConnected;
export const indications = snap.indications;
export const includedVolumes = snap.includedVolumes;
export const excludedVolumes = snap.excludedVolumes;
export const consistency = snap.consistency;
