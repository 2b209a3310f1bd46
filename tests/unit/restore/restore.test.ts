import { setTimeout as sleep } from "node:timers/promises";
import { checkAgainst } from "../../../provider/core/check";
import { KubeApiError } from "../../../provider/core/errors";
import { admissionDenial } from "../../../provider/kube/api-errors";
import type { MetadataPatch, RestoreCluster, WatchEvent } from "../../../provider/kube/cluster";
import type { VirtualMachineRestore, VirtualMachineSnapshot } from "../../../provider/kube/types";
import { checkRestoreInputs, RESTORE_CHECK } from "../../../provider/restore/check";
import type { RestoreDeps } from "../../../provider/restore/create";
import { createVmRestoreProvider } from "../../../provider/restore/provider";
import { diffRestore } from "../../../provider/restore/diff";
import { restoreFailureMessage } from "../../../provider/restore/failure-message";
import type { RestoreInputs } from "../../../provider/restore/inputs";
import { isPolicyRefusal, missingPolicy, policyRefusal } from "../../../provider/restore/policy-support";
import { buildRestoreManifest } from "../../../provider/restore/manifest";
import { snapshotProblem, targetNotes } from "../../../provider/restore/preflight";
import { graceNudge, graceNudgePatch } from "../../../provider/restore/grace";
import {
  blockerState,
  blockersCleared,
  classifyCreateRefusal,
  restoreBlockedMessage,
  restoreGateMessage,
  toBlocker,
} from "../../../provider/restore/refusal";
import { restoreVerdict } from "../../../provider/restore/verdict";
import { waitForRestore } from "../../../provider/restore/wait";

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
  timeout: "10m",
  deleteTimeout: "5m",
  triggers: [],
  resourceName: "rollback",
  owner: "proj/dev/rollback",
};

describe("restore manifest", () => {
  it("targets the VM with both policies on v1beta1, leaving KubeVirt's default volume policy out (v1.5 has no field)", () => {
    expect(
      buildRestoreManifest({ ...inputs, targetReadinessPolicy: "FailImmediate" }, "v1beta1", "db-1").spec,
    ).not.toHaveProperty("volumeRestorePolicy");
    expect(
      buildRestoreManifest(
        { ...inputs, targetReadinessPolicy: "FailImmediate", volumeRestorePolicy: "InPlace" },
        "v1beta1",
        "db-1",
      ),
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
        volumeRestorePolicy: "InPlace",
      },
    });
  });

  it("knows which KubeVirt version has which volumeRestorePolicy, and says so when one is missing", () => {
    expect(missingPolicy("PrefixTargetName", "v1.7.0")).toBe("v1.8.0");
    expect(missingPolicy("PrefixTargetName", "v1.9.0")).toBeUndefined();
    expect(missingPolicy("InPlace", "v1.5.2")).toBe("v1.6.0");
    expect(missingPolicy("InPlace", undefined)).toBeUndefined();
    expect(missingPolicy("InPlace", "devel")).toBeUndefined();
    expect(
      isPolicyRefusal(
        'admission webhook "x" denied the request: volume restore policy "PrefixTargetName" doesn\'t exist',
      ),
    ).toBe(true);
    expect(isPolicyRefusal('strict decoding error: unknown field "spec.volumeRestorePolicy"')).toBe(true);
    expect(policyRefusal({ resourceName: "rb", policy: "PrefixTargetName", kubevirtVersion: "v1.7.0" })).toBe(
      '[rb] volumeRestorePolicy "PrefixTargetName" is not available: this cluster runs KubeVirt v1.7.0, and the ' +
        'policy exists from KubeVirt v1.8.0. Nothing was created. Fix: use "RandomizeNames" or "InPlace" (or leave ' +
        "it unset: KubeVirt's default), or upgrade KubeVirt to v1.8.0 or later.",
    );
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
      timeout: "10m",
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
    expect(diffRestore(olds, { ...inputs, timeout: "20m" })).toEqual({
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
      boundText: "10m",
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

const waiting = (overrides: {
  policy?: string;
  created?: string;
  status?: VirtualMachineRestore["status"];
}): VirtualMachineRestore => ({
  metadata: { name: "r1", namespace: "prod", creationTimestamp: overrides.created ?? "2026-11-29T10:00:00Z" },
  spec: {
    target: { apiGroup: "kubevirt.io", kind: "VirtualMachine", name: "db-1" },
    virtualMachineSnapshotName: "s1",
    ...(overrides.policy ? { targetReadinessPolicy: overrides.policy } : {}),
  },
  status: overrides.status ?? {
    complete: false,
    conditions: [cond("Progressing", "False", "Waiting for target VM to be powered off")],
  },
});
const at = (iso: string) => Date.parse(iso);

describe("graceNudge", () => {
  it("waits until creationTimestamp + 5m + 1s, then nudges, then every 5s", () => {
    const r = waiting({});
    expect(graceNudge(r, at("2026-11-29T10:00:00Z"), undefined)).toEqual({ kind: "later", inMs: 301_000 });
    expect(graceNudge(r, at("2026-11-29T10:05:00.999Z"), undefined)).toEqual({ kind: "later", inMs: 1 });
    expect(graceNudge(r, at("2026-11-29T10:05:01Z"), undefined)).toEqual({ kind: "now" });
    expect(graceNudge(r, at("2026-11-29T10:05:03Z"), at("2026-11-29T10:05:01Z"))).toEqual({
      kind: "later",
      inMs: 3_000,
    });
    expect(graceNudge(r, at("2026-11-29T10:05:06Z"), at("2026-11-29T10:05:01Z"))).toEqual({ kind: "now" });
    expect(graceNudge(r, at("2026-11-29T11:00:00Z"), undefined)).toEqual({ kind: "now" });
  });

  it("applies to WaitGracePeriod, explicit or KubeVirt's default (no field), and to no other policy", () => {
    const late = at("2026-11-29T10:06:00Z");
    expect(graceNudge(waiting({ policy: "WaitGracePeriod" }), late, undefined)).toEqual({ kind: "now" });
    for (const policy of ["StopTarget", "FailImmediate", "WaitEventually"])
      expect(graceNudge(waiting({ policy }), late, undefined)).toEqual({ kind: "never" });
  });

  it("never touches a restore that is settled, going, restoring volumes, or not yet created", () => {
    const late = at("2026-11-29T10:06:00Z");
    const grace = "Restore target failed to be ready within 5m0s";
    expect(graceNudge(undefined, late, undefined)).toEqual({ kind: "never" });
    expect(graceNudge(waiting({ status: { complete: true } }), late, undefined)).toEqual({ kind: "never" });
    expect(
      graceNudge(
        waiting({ status: { complete: false, conditions: [cond("Failure", "True", grace)] } }),
        late,
        undefined,
      ),
    ).toEqual({ kind: "never" });
    expect(
      graceNudge(
        { ...waiting({}), metadata: { ...waiting({}).metadata, deletionTimestamp: "2026-11-29T10:05:30Z" } },
        late,
        undefined,
      ),
    ).toEqual({ kind: "never" });
    expect(
      graceNudge(
        waiting({ status: { complete: false, restores: [{ volumeName: "rootdisk" }] } }),
        late,
        undefined,
      ),
    ).toEqual({ kind: "never" });
    expect(graceNudge(waiting({ created: "" }), late, undefined)).toEqual({ kind: "never" });
  });

  it("writes only the grace-check annotation, with the time of the touch", () => {
    expect(graceNudgePatch(at("2026-11-29T10:05:01.250Z"))).toEqual({
      labels: {},
      annotations: { "pulumi-kubevirt-snapshot.io/grace-check": "2026-11-29T10:05:01.250Z" },
    });
  });
});

describe("waitForRestore's grace nudge", () => {
  const ref = { version: "v1beta1", namespace: "prod", name: "r1" };
  const grace =
    "Restore target failed to be ready within 5m0s. Please power off the target VM before attempting restore";

  /** A cluster where only a touch makes "KubeVirt" reconcile: it then writes the grace Failure. */
  function lazyKubeVirt(
    created: string,
    patchError?: Error,
  ): { cluster: RestoreCluster; patches: MetadataPatch[] } {
    let current = waiting({ created });
    const watchers = new Set<(e: WatchEvent<VirtualMachineRestore>) => void>();
    const patches: MetadataPatch[] = [];
    const cluster = {
      listRestore: async () => ({ object: structuredClone(current), resourceVersion: "1" }),
      watchRestore: async (
        _ref: unknown,
        _rv: string,
        onEvent: (e: WatchEvent<VirtualMachineRestore>) => void,
      ) => {
        watchers.add(onEvent);
        return { closed: new Promise<unknown>(() => undefined), stop: () => watchers.delete(onEvent) };
      },
      patchRestoreMetadata: async (_ref: unknown, patch: MetadataPatch) => {
        patches.push(patch);
        if (patchError) throw patchError;
        current = {
          ...current,
          metadata: { ...current.metadata, annotations: patch.annotations as Record<string, string> },
          status: { complete: false, conditions: [cond("Failure", "True", grace)] },
        };
        for (const w of watchers) w({ type: "MODIFIED", object: structuredClone(current) });
        return current;
      },
    } as unknown as RestoreCluster;
    return { cluster, patches };
  }
  const io = (log: { warn: string[] }) => ({
    boundMs: 5_000,
    progress: { observe: () => undefined, flush: () => undefined } as never,
    timer: (ms: number) => AbortSignal.timeout(ms),
    delay: (ms: number, signal: AbortSignal) => sleep(ms, undefined, { signal }),
    nudge: (initial: VirtualMachineRestore) => ({
      initial,
      now: Date.now,
      log: { info: () => undefined, warn: (line: string) => log.warn.push(line) },
      prefix: "[rollback] ",
    }),
  });

  it("touches a restore past its grace, and KubeVirt's Failure ends the wait", async () => {
    const created = new Date(Date.now() - 301_500).toISOString();
    const { cluster, patches } = lazyKubeVirt(created);
    const log = { warn: [] as string[] };
    const { nudge, ...options } = io(log);
    const result = await waitForRestore({ ...options, cluster, ref }, nudge(waiting({ created })));
    expect(result.outcome).toEqual({ kind: "failed", reason: grace });
    expect(patches).toHaveLength(1);
    expect(Object.keys(patches[0]!.annotations)).toEqual(["pulumi-kubevirt-snapshot.io/grace-check"]);
    expect(log.warn).toEqual([]);
  });

  it("does not touch a restore inside its grace, and warns once when a touch is refused", async () => {
    const justNow = new Date().toISOString();
    const inside = lazyKubeVirt(justNow);
    const log = { warn: [] as string[] };
    const { nudge, ...options } = io(log);
    const quiet = await waitForRestore(
      { ...options, boundMs: 300, cluster: inside.cluster, ref },
      nudge(waiting({ created: justNow })),
    );
    expect(quiet.outcome).toEqual({ kind: "timeout" });
    expect(inside.patches).toEqual([]);

    const forbidden = new KubeApiError(
      'cannot patch virtualmachinerestores.snapshot.kubevirt.io "r1" in namespace "prod": HTTP 403 Forbidden: no. Fix: grant the verb "patch" on virtualmachinerestores.snapshot.kubevirt.io to this user (see rbac/vmsnapshot-role.yaml).',
      403,
      "Forbidden",
      "no",
    );
    const longAgo = new Date(Date.now() - 400_000).toISOString();
    const refused = lazyKubeVirt(longAgo, forbidden);
    const cut = await waitForRestore(
      { ...options, boundMs: 300, cluster: refused.cluster, ref },
      nudge(waiting({ created: longAgo })),
    );
    expect(cut.outcome).toEqual({ kind: "timeout" });
    expect(refused.patches).toHaveLength(1);
    expect(log.warn).toHaveLength(1);
    expect(log.warn[0]).toMatch(
      /^\[rollback\] could not touch VirtualMachineRestore prod\/r1 to make KubeVirt re-check its 5m grace period: .*grant the verb "patch"/,
    );
  });
});

describe("KubeVirt's refusals of a new restore", () => {
  const denied = (message: string) =>
    `admission webhook "virtualmachinerestore-validator.snapshot.kubevirt.io" denied the request: ${message}`;
  const refusedRestore = {
    resourceName: "rollback",
    namespace: "prod",
    name: "rollback-abc1234",
    snapshotName: "s1",
    targetVm: "db-1",
  };

  it("reads the webhook's denial: the gate, each blocking restore once, or something else", () => {
    expect(admissionDenial(denied("x"))).toEqual({
      webhook: "virtualmachinerestore-validator.snapshot.kubevirt.io",
      message: "x",
    });
    expect(admissionDenial("not found")).toBeUndefined();
    expect(classifyCreateRefusal(denied("Snapshot/Restore feature gate not enabled"))).toEqual({
      kind: "gate",
    });
    expect(
      classifyCreateRefusal(
        denied(
          'VirtualMachineRestore "a" in progress, VirtualMachineRestore "b" in progress, VirtualMachineRestore "a" in progress',
        ),
      ),
    ).toEqual({ kind: "blocked", names: ["a", "b"] });
    expect(classifyCreateRefusal(denied('volume restore policy "X" doesn\'t exist'))).toEqual({
      kind: "other",
    });
    expect(classifyCreateRefusal('VirtualMachineRestore "a" in progress')).toEqual({ kind: "other" });
  });

  it("tells a failed, running, deleting, completed and vanished blocker apart; only the last two are retried", () => {
    const failed = restore({ complete: false, conditions: [cond("Failure", "True", FAIL_IMMEDIATE)] });
    const running = {
      ...restore({ complete: false, conditions: [cond("Progressing", "False", "Waiting for target")] }),
    };
    running.metadata.creationTimestamp = "2026-11-29T10:00:00Z";
    expect(blockerState(failed)).toEqual({ kind: "failed", reason: FAIL_IMMEDIATE });
    expect(blockerState(running)).toEqual({
      kind: "running",
      progressing: "Waiting for target",
      created: "2026-11-29T10:00:00Z",
    });
    expect(blockerState(restore({ complete: false }, true))).toEqual({ kind: "deleting" });
    expect(blockerState(restore({ complete: true }))).toEqual({ kind: "complete" });
    expect(blockerState(undefined)).toEqual({ kind: "gone" });
    expect(blockersCleared([{ kind: "gone" }, { kind: "complete" }])).toBe(true);
    expect(blockersCleared([{ kind: "gone" }, { kind: "deleting" }])).toBe(false);
  });

  it("names a failed blocker, KubeVirt's reason and the delete command", () => {
    const failed = restore({ complete: false, conditions: [cond("Failure", "True", FAIL_IMMEDIATE)] });
    expect(restoreBlockedMessage(refusedRestore, [toBlocker("manual", failed)])).toBe(
      [
        "[rollback] KubeVirt refused to create VirtualMachineRestore prod/rollback-abc1234 (snapshot s1 → VM db-1): KubeVirt allows only one incomplete restore per VM, failed ones included, and VM prod/db-1 has another. No restore was created.",
        `- VirtualMachineRestore "manual" failed (KubeVirt: ${FAIL_IMMEDIATE}) and blocks the VM until it is deleted. Fix: kubectl delete vmrestore manual -n prod, then run pulumi up again.`,
      ].join("\n"),
    );
  });

  it("says a running blocker is to be waited for (or deleted when abandoned), and who made it", () => {
    const running = restore({
      complete: false,
      conditions: [cond("Progressing", "True", "Creating new PVCs")],
    });
    running.metadata.annotations = { "pulumi-kubevirt-snapshot.io/owner": "proj/dev/other" };
    const message = restoreBlockedMessage(refusedRestore, [
      toBlocker("r1", running),
      toBlocker("r2", restore({ complete: false }, true)),
    ]);
    expect(message).toContain("and VM prod/db-1 has 2 others.");
    expect(message).toContain(
      '- VirtualMachineRestore "r1" is still in progress (KubeVirt: Creating new PVCs). Fix: wait until it completes (kubectl get vmrestore r1 -n prod -w), then run pulumi up again; if it is abandoned, kubectl delete vmrestore r1 -n prod. It was made by the Pulumi resource "proj/dev/other"',
    );
    expect(message).toContain(
      '- VirtualMachineRestore "r2" is being deleted. Fix: wait until it is gone (kubectl get vmrestore r2 -n prod), then run pulumi up again.',
    );
  });

  it("explains the Snapshot gate: where to list it, and disabledFeatureGates from v1.8", () => {
    expect(restoreGateMessage(refusedRestore)).toBe(
      '[rollback] KubeVirt refused to create VirtualMachineRestore prod/rollback-abc1234 (snapshot s1 → VM db-1): "Snapshot/Restore feature gate not enabled". Restores need KubeVirt\'s Snapshot feature gate, which is off; no restore was created. Fix: add "Snapshot" to spec.configuration.developerConfiguration.featureGates of the KubeVirt CR (kubectl edit kubevirt -n kubevirt); on KubeVirt v1.8 and later also make sure it is not listed in spec.configuration.developerConfiguration.disabledFeatureGates. Then run pulumi up again.',
    );
  });
});

describe("deadline, the old name of timeout", () => {
  const raw = { namespace: "prod", snapshotName: "s1", resourceName: "rollback", owner: "proj/dev/rollback" };
  const PROVIDER = "exports.handler = () => ({});";
  /** Deps for the provider methods that need no cluster (check, diff, update), recording warnings. */
  const restoreDeps = (warn: string[]): RestoreDeps => ({
    connect: () => Promise.reject(new Error("no cluster in this test")),
    log: { info: () => undefined, warn: (line) => warn.push(line) },
    now: Date.now,
    timer: (ms) => AbortSignal.timeout(ms),
    delay: () => Promise.resolve(),
    suffix: () => "abc1234",
    graceMs: 0,
    progressIntervalMs: 0,
  });

  it("accepts deadline as timeout and prints a warning naming it, its value and the fix", async () => {
    const warn: string[] = [];
    const provider = createVmRestoreProvider(restoreDeps(warn));
    const checked = await provider.check(undefined, { ...raw, deadline: "7m", __provider: PROVIDER });
    expect(checked.failures).toEqual([]);
    expect(checked.inputs).toMatchObject({ timeout: "7m", __provider: PROVIDER });
    expect(checked.inputs).not.toHaveProperty("deadline");
    expect(warn).toEqual([
      '[rollback] warning: deadline is deprecated: it was renamed to timeout, and its value "7m" is used as ' +
        'timeout. Fix: rename deadline to timeout in the VMRestore\'s arguments (timeout: "7m").',
    ]);
  });

  it("accepts deadline equal to timeout (with the warning), and says nothing without deadline", () => {
    const same = checkRestoreInputs(undefined, { ...raw, deadline: "10m", timeout: "10m" }, () => "x");
    expect(same.outcome.failures).toEqual([]);
    expect(same.outcome.inputs).toMatchObject({ timeout: "10m" });
    expect(same.warnings).toHaveLength(1);
    const plain = checkRestoreInputs(undefined, { ...raw, timeout: "3m" }, () => "x");
    expect(plain).toEqual({ outcome: expect.objectContaining({ failures: [] }), warnings: [] });
    expect(plain.outcome.inputs).toMatchObject({ timeout: "3m" });
  });

  it("fails when deadline and timeout are both set and differ, naming both", () => {
    const both = checkRestoreInputs(undefined, { ...raw, deadline: "5m", timeout: "10m" }, () => "x");
    expect(both.outcome.failures).toEqual([
      {
        property: "deadline",
        reason:
          'deadline is "5m" and timeout is "10m": deadline is the deprecated name of timeout, so they cannot ' +
          "differ. Fix: remove deadline and keep timeout (or set the one value you mean as timeout).",
      },
    ]);
    expect(both.warnings).toEqual([]);
  });

  it("fails on a deadline that is not a duration, in deadline's own words", () => {
    const bad = checkRestoreInputs(undefined, { ...raw, deadline: "soon" }, () => "x");
    expect(bad.outcome.failures).toEqual([
      {
        property: "deadline",
        reason: expect.stringMatching(/^deadline is "soon", which is not a positive Kubernetes duration/),
      },
    ]);
  });

  it("shows no diff for state from an earlier build, which stored deadline instead of timeout", async () => {
    const { timeout: _timeout, ...earlier } = inputs;
    const provider = createVmRestoreProvider(restoreDeps([]));
    const olds = { ...earlier, deadline: "10m", complete: true, __provider: PROVIDER };
    const unchanged = { changes: false, replaces: [], deleteBeforeReplace: false };
    expect(diffRestore(olds, { ...inputs, __provider: PROVIDER })).toEqual(unchanged);
    // The program still says deadline: "7m", as it did for the earlier build.
    const checked = await provider.check(olds, { ...raw, deadline: "7m", __provider: PROVIDER });
    expect(await provider.diff(`prod/${inputs.name}`, { ...olds, deadline: "7m" }, checked.inputs)).toEqual(
      unchanged,
    );
    expect(diffRestore(olds, { ...inputs, timeout: "20m", __provider: PROVIDER })).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
  });

  it("writes timeout and drops the stored deadline when such state is updated", async () => {
    const { timeout: _timeout, ...earlier } = inputs;
    const provider = createVmRestoreProvider(restoreDeps([]));
    const olds = { ...earlier, deadline: "10m", complete: true, restoreName: inputs.name };
    const { outs } = await provider.update(`prod/${inputs.name}`, olds, { ...inputs, timeout: "20m" });
    expect(outs).toMatchObject({ timeout: "20m", complete: true, restoreName: inputs.name });
    expect(outs).not.toHaveProperty("deadline");
  });
});
