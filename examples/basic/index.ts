// Snapshot an existing KubeVirt VM before a risky change and report what kind of snapshot it is.
import * as pulumi from "@pulumi/pulumi";
import { VMSnapshot } from "pulumi-kubevirt-snapshot";

const config = new pulumi.Config();

const snap = new VMSnapshot("before-upgrade", {
  namespace: config.get("namespace") ?? "default",
  vmName: config.get("vmName") ?? "demo-vm",
  failureDeadline: "10m",
});

export const snapshotName = snap.snapshotName;
export const phase = snap.phase;
export const readyToUse = snap.readyToUse;
export const indications = snap.indications;
export const includedVolumes = snap.includedVolumes;
export const excludedVolumes = snap.excludedVolumes;
