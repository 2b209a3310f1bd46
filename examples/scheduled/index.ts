// A snapshot taken by a CI pipeline (github-workflow.yml): every night, and before every change.
// The pipeline sets config `trigger` to the date (nightly) or the commit (before a change); a new trigger
// takes a new snapshot, and the previous ones are kept as history, the newest `history` of them.
import * as pulumi from "@pulumi/pulumi";
import { VMSnapshot } from "pulumi-kubevirt-snapshot";

const config = new pulumi.Config();
const trigger = config.require("trigger");

const snap = new VMSnapshot("pipeline", {
  namespace: config.require("namespace"),
  vmName: config.require("vmName"),
  failureDeadline: config.get("failureDeadline") ?? "10m",
  triggers: [trigger],
  // Keep the 7 snapshots before the current one (Failed ones are pruned first). `name` stays unset:
  // history needs a generated name per snapshot.
  history: config.getNumber("history") ?? 7,
});

export const snapshotName = snap.snapshotName;
export const phase = snap.phase;
export const readyToUse = snap.readyToUse;
export const keptHistory = snap.keptHistory;
// The trigger this snapshot was taken for, known only once the snapshot is: gate.sh compares it with
// config `trigger`, so outputs left from an earlier run never let a change through.
export const snapshotTrigger = snap.snapshotName.apply(() => trigger);
