// The e2e fault matrix's program (tests/e2e/faults*.test.ts): one VMSnapshot configured from stack config.
// Plain JavaScript, so each `pulumi` run skips the TypeScript compile. With config `gateFile`, the snapshot
// depends on a gate: a dynamic resource whose create loads this package's provider in the provider host (as
// the engine's check of a VMSnapshot does, just before its create call, in a program without a gate), writes
// `<gateFile>.waiting` (holding the host's pid) and waits until `<gateFile>` exists. That holds the run before
// the snapshot's create call, with the host running and the provider loaded in it.
"use strict";
const pulumi = require("@pulumi/pulumi");
const { VMSnapshot } = require("pulumi-kubevirt-snapshot");

const config = new pulumi.Config();
const gateFile = config.get("gateFile");

const gateProvider = {
  async create(inputs) {
    const fs = require("fs");
    require("pulumi-kubevirt-snapshot/provider").load(undefined);
    fs.writeFileSync(`${inputs.file}.waiting`, String(process.pid));
    while (!fs.existsSync(inputs.file)) await new Promise((resolve) => setTimeout(resolve, 100));
    return { id: "gate", outs: inputs };
  },
};

const gate = gateFile ? new pulumi.dynamic.Resource(gateProvider, "gate", { file: gateFile }, {}) : undefined;

const trigger = config.get("trigger");
const timeout = config.get("timeout");
const deleteTimeout = config.get("deleteTimeout");
const snap = new VMSnapshot(
  "faulted",
  {
    namespace: config.require("namespace"),
    vmName: config.require("vmName"),
    failureDeadline: config.get("failureDeadline") ?? "5m",
    ...(timeout ? { timeout } : {}),
    ...(deleteTimeout ? { deleteTimeout } : {}),
    triggers: trigger ? [trigger] : [],
    history: config.getNumber("history") ?? 0,
  },
  gate ? { dependsOn: [gate] } : {},
);

exports.snapshotName = snap.snapshotName;
exports.phase = snap.phase;
exports.readyToUse = snap.readyToUse;
exports.keptHistory = snap.keptHistory;
