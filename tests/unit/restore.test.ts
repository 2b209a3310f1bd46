import { checkAgainst } from "../../provider/check";
import type { VirtualMachineRestore, VirtualMachineSnapshot } from "../../provider/kube/types";
import { RESTORE_CHECK } from "../../provider/restore/check";
import { diffRestore } from "../../provider/restore/diff";
import { restoreFailureMessage } from "../../provider/restore/failure-message";
import type { RestoreInputs } from "../../provider/restore/inputs";
import { buildRestoreManifest } from "../../provider/restore/manifest";
import { snapshotProblem, targetNotes } from "../../provider/restore/preflight";
import { restoreVerdict } from "../../provider/restore/verdict";

const restore = (status: VirtualMachineRestore["status"], deleting = false): VirtualMachineRestore => ({
  metadata: {
    name: "r1",
    namespace: "prod",
    ...(deleting ? { deletionTimestamp: "2026-11-29T10:00:00Z" } : {}),
  },
  spec: {
    target: { apiGroup: "kubevirt.io", kind: "VirtualMachine", name: "db-1" },
    virtualMachineSnapshotName: "s1",
  },
  status,
});
const cond = (type: string, status: string, reason: string) => ({ type, status, reason });
const FAIL_IMMEDIATE = "Restore target VMI must be powered off before restore operation";

describe("restoreVerdict", () => {
  it("is done when complete, failed on Failure=True with KubeVirt's reason, pending otherwise", () => {
    expect(restoreVerdict(restore({ complete: true }))).toEqual({ kind: "done" });
    expect(
      restoreVerdict(restore({ complete: false, conditions: [cond("Failure", "True", FAIL_IMMEDIATE)] })),
    ).toEqual({ kind: "failed", reason: FAIL_IMMEDIATE });
    expect(
      restoreVerdict(
        restore({ complete: false, conditions: [cond("Progressing", "True", "Creating new PVCs")] }),
      ),
    ).toEqual({ kind: "pending", progressing: "Creating new PVCs" });
  });

  it("keeps waiting through errors KubeVirt retries (reason only, no Failure)", () => {
    const retried = "restore source and restore target are different but restore target already exists";
    expect(
      restoreVerdict(restore({ complete: false, conditions: [cond("Progressing", "False", retried)] })),
    ).toEqual({
      kind: "pending",
      progressing: retried,
    });
  });

  it("fails when the restore is gone or being deleted", () => {
    expect(restoreVerdict(undefined)).toEqual({
      kind: "failed",
      reason: "the restore was deleted while waiting for it",
    });
    expect(restoreVerdict(restore({ complete: false }, true))).toEqual({
      kind: "failed",
      reason: "the restore is being deleted",
    });
  });
});

const inputs: RestoreInputs = {
  namespace: "prod",
  snapshotName: "s1",
  name: "rollback-abc1234",
  autoNamed: true,
  targetReadinessPolicy: "WaitGracePeriod",
  volumeRestorePolicy: "RandomizeNames",
  deadline: "10m",
  deleteTimeout: "5m",
  triggers: [],
  resourceName: "rollback",
  owner: "proj/dev/rollback",
};

describe("restore manifest", () => {
  it("targets the VM with both policies on v1beta1", () => {
    expect(
      buildRestoreManifest({ ...inputs, targetReadinessPolicy: "FailImmediate" }, "v1beta1", "db-1"),
    ).toEqual({
      apiVersion: "snapshot.kubevirt.io/v1beta1",
      kind: "VirtualMachineRestore",
      metadata: {
        name: "rollback-abc1234",
        namespace: "prod",
        labels: { "app.kubernetes.io/managed-by": "pulumi-kubevirt-snapshot" },
        annotations: { "pulumi-kubevirt-snapshot.io/owner": "proj/dev/rollback" },
      },
      spec: {
        target: { apiGroup: "kubevirt.io", kind: "VirtualMachine", name: "db-1" },
        virtualMachineSnapshotName: "s1",
        targetReadinessPolicy: "FailImmediate",
        volumeRestorePolicy: "RandomizeNames",
      },
    });
  });

  it("leaves defaults out on v1alpha1 and refuses a non-default policy there, naming it", () => {
    expect(buildRestoreManifest(inputs, "v1alpha1", "db-1").spec).toEqual({
      target: { apiGroup: "kubevirt.io", kind: "VirtualMachine", name: "db-1" },
      virtualMachineSnapshotName: "s1",
    });
    expect(() =>
      buildRestoreManifest({ ...inputs, volumeRestorePolicy: "InPlace" }, "v1alpha1", "db-1"),
    ).toThrow(
      '[rollback] volumeRestorePolicy "InPlace": the cluster serves snapshot.kubevirt.io only as v1alpha1',
    );
  });
});

describe("restore preflight", () => {
  const snapshot = (status: VirtualMachineSnapshot["status"]): VirtualMachineSnapshot => ({
    metadata: { name: "s1", namespace: "prod" },
    spec: { source: { apiGroup: "kubevirt.io", kind: "VirtualMachine", name: "db-1" } },
    status,
  });

  it("accepts a readyToUse snapshot and refuses a missing or unready one with its state and the fix", () => {
    expect(snapshotProblem(snapshot({ phase: "Succeeded", readyToUse: true }), inputs)).toBeUndefined();
    expect(snapshotProblem(undefined, inputs)).toBe(
      "VirtualMachineSnapshot prod/s1 not found (404), so no restore was created. Fix: check snapshotName and namespace (kubectl get vmsnapshot -n prod).",
    );
    expect(snapshotProblem(snapshot({ phase: "Failed", readyToUse: false }), inputs)).toMatch(
      /^VirtualMachineSnapshot prod\/s1 is not readyToUse \(phase Failed, readyToUse false\); KubeVirt restores only from a ready snapshot, so no restore was created\. Fix: wait/,
    );
  });

  it("says what the readiness policy does with a running target, and when the target will be created", () => {
    const vm = { metadata: { name: "db-1", namespace: "prod" } };
    const vmi = { metadata: { name: "db-1", namespace: "prod" } };
    expect(targetNotes(vm, vmi, { ...inputs, targetReadinessPolicy: "FailImmediate" }, "db-1")).toEqual([
      "VM prod/db-1 is running; with targetReadinessPolicy FailImmediate KubeVirt fails the restore at once. Stop it first for a prompt restore (virtctl stop db-1 -n prod).",
    ]);
    expect(targetNotes(vm, undefined, inputs, "db-1")).toEqual([]);
    expect(targetNotes(undefined, undefined, inputs, "db-2")).toEqual([
      "VM prod/db-2 does not exist; KubeVirt creates it from the snapshot.",
    ]);
  });
});

describe("restore check and diff", () => {
  const raw = { namespace: "prod", snapshotName: "s1", resourceName: "rollback", owner: "proj/dev/rollback" };

  it("applies defaults and names a bad policy with the allowed values", () => {
    const ok = checkAgainst(RESTORE_CHECK, undefined, raw, () => "abc1234");
    expect(ok.failures).toEqual([]);
    expect(ok.inputs).toMatchObject({
      name: "rollback-abc1234",
      targetReadinessPolicy: "WaitGracePeriod",
      deadline: "10m",
    });
    const bad = checkAgainst(RESTORE_CHECK, undefined, { ...raw, targetReadinessPolicy: "Stop" }, () => "x");
    expect(bad.failures).toEqual([
      {
        property: "targetReadinessPolicy",
        reason:
          'targetReadinessPolicy is "Stop"; allowed values: "WaitGracePeriod", "StopTarget", "FailImmediate", "WaitEventually". Fix: set targetReadinessPolicy to one of them, or leave it unset for "WaitGracePeriod".',
      },
    ]);
  });

  it("runs a new restore (deleting the old first) on a spec change or when the old one never completed", () => {
    const olds = { ...inputs, complete: true };
    expect(diffRestore(olds, { ...inputs })).toEqual({
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
    expect(diffRestore(olds, { ...inputs, deadline: "20m" })).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
    expect(diffRestore(olds, { ...inputs, snapshotName: "s2" })).toEqual({
      changes: true,
      replaces: ["snapshotName"],
      deleteBeforeReplace: true,
    });
    expect(diffRestore({ ...olds, complete: false }, { ...inputs })).toEqual({
      changes: true,
      replaces: ["complete"],
      deleteBeforeReplace: true,
    });
  });
});

describe("restore failure message", () => {
  it("gives KubeVirt's reason, the fix for a running target, and what happens next", () => {
    const message = restoreFailureMessage({
      ...inputs,
      name: "rollback-abc1234",
      targetVm: "db-1",
      deadline: "10m",
      outcome: { kind: "failed", reason: FAIL_IMMEDIATE },
      last: undefined,
    });
    expect(message).toBe(
      [
        `[rollback] VirtualMachineRestore prod/rollback-abc1234 (snapshot s1 → VM db-1) failed: ${FAIL_IMMEDIATE}.`,
        'The target VM must be stopped for a restore. Fix: stop it (virtctl stop db-1 -n prod) and run pulumi up again, or set targetReadinessPolicy to "StopTarget" to let KubeVirt stop it.',
        "It is kept in the stack's state; the next `pulumi up` deletes it and runs the restore again. Inspect it with: kubectl get vmrestore rollback-abc1234 -n prod -o yaml",
      ].join("\n"),
    );
  });
});
