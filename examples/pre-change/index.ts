// A VM managed with @pulumi/kubernetes, snapshotted before every change to it: the snapshot's triggers are
// the VM's desired spec, and the VM depends on the snapshot, so changing the VM first takes a new snapshot
// (the old one is deleted after the update). The VM must exist before it can be snapshotted: deploy once
// with `pulumi config set firstDeploy true`, then `pulumi config rm firstDeploy`.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { VMSnapshot } from "pulumi-kubevirt-snapshot";

const config = new pulumi.Config();
const namespace = config.get("namespace") ?? "default";
const vmName = config.get("vmName") ?? "app-vm";

const vmSpec = {
  runStrategy: "Always",
  template: {
    spec: {
      domain: {
        cpu: { cores: config.getNumber("cores") ?? 2 },
        memory: { guest: config.get("memory") ?? "2Gi" },
        devices: { disks: [{ name: "rootdisk", disk: { bus: "virtio" } }] },
      },
      volumes: [{ name: "rootdisk", persistentVolumeClaim: { claimName: `${vmName}-rootdisk` } }],
    },
  },
};

const snapshot = config.getBoolean("firstDeploy")
  ? undefined
  : new VMSnapshot("pre-change", {
      namespace,
      vmName,
      failureDeadline: "10m",
      triggers: [JSON.stringify(vmSpec)],
    });

const vm = new k8s.apiextensions.CustomResource(
  vmName,
  {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachine",
    metadata: { name: vmName, namespace },
    spec: vmSpec,
  },
  { dependsOn: snapshot ? [snapshot] : [] },
);

export const vmUid = vm.metadata.uid;
export const snapshotName = snapshot?.snapshotName;
export const snapshotReady = snapshot?.readyToUse;
