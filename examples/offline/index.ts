// Snapshot a stopped VM: KubeVirt takes an offline snapshot (no VMI, no freeze, no indications).
// guestAgent "require" is safe here: it only applies to running VMs.
import * as pulumi from "@pulumi/pulumi";
import { VMSnapshot } from "pulumi-kubevirt-snapshot";

const config = new pulumi.Config();

const snap = new VMSnapshot("stopped-vm", {
  namespace: config.get("namespace") ?? "default",
  vmName: config.get("vmName") ?? "stopped-vm",
  guestAgent: "require",
  deletionPolicy: "Retain",
});

export const snapshotName = snap.snapshotName;
export const online = snap.online;
export const readyToUse = snap.readyToUse;
export const includedVolumes = snap.includedVolumes;
