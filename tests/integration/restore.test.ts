/**
 * VMRestore against a real kube-apiserver with KubeVirt's restore controller and webhook, with the provider as
 * Pulumi's host runs it: restore of a stopped VM, FailImmediate refusing a running VM (KubeVirt's reason,
 * partial state, replace on the next up), a snapshot that is not ready refused before anything is created,
 * delete leaving the restored VM and PVCs in place, KubeVirt's refusals of a new restore (another restore of
 * the VM not complete, the Snapshot gate off), picking up its own leftover, the least-privilege Role, and a
 * WaitGracePeriod restore of a running VM that ends when KubeVirt's 5m grace passes. That one starts in
 * beforeAll and is awaited by the file's last test, so its five minutes overlap the other tests.
 */
import type { HostError, ProviderHost } from "../support/host-client";
import {
  createNamespace,
  createReadySnapshot,
  createRestore,
  deleteRestore,
  eventually,
  getPvc,
  getRestore,
  getVm,
  listIn,
  createVm,
  dryRunProbe,
  grantRole,
  mergePatch,
  vmReady,
  type Admin,
} from "../ground/fixtures";
import { kubevirtAtLeast, kubevirtVersion, type Ground } from "../ground/ground";
import { readyGroundWithHost } from "../ground/suite";
import { failImmediateText, stopTargetReason } from "../ground/kubevirt-behaviour";

let a: Admin;
let ground: Ground;
let host: ProviderHost;
let n = 0;

let stop: () => Promise<void> = async () => undefined;

/** KubeVirt's DefaultGracePeriod (not ours to change). */
const GRACE_MS = 5 * 60_000;
/** The WaitGracePeriod restore started in beforeAll and awaited last. */
let grace: GraceRun;

beforeAll(async () => {
  ({ a, ground, host, stop } = await readyGroundWithHost("serializedRestoreProvider"));
  grace = await startGraceRun();
});
afterAll(() => stop());

/** KubeVirt's FailImmediate reason on this version. */
const FAIL_IMMEDIATE = failImmediateText();

/** The spec of a valid restore of db-1 from snap-1 (for admission probes). */
const PROBE_RESTORE = {
  target: { apiGroup: "kubevirt.io", kind: "VirtualMachine", name: "db-1" },
  virtualMachineSnapshotName: "snap-1",
};

async function withSnapshot(running: boolean, annotations: Record<string, string> = {}) {
  const ns = `r${++n}`;
  await createNamespace(a, ns);
  await createVm(a, ns, { name: "db-1", running, annotations });
  await vmReady(a, ns, "db-1", running);
  return ns;
}

async function check(news: Record<string, unknown>) {
  const result = await host.call<{ inputs: Record<string, unknown>; failures: unknown[] }>(
    "check",
    undefined,
    {
      resourceName: "rollback",
      owner: "itest/dev/rollback",
      ...news,
      __provider: host.providerText,
    },
  );
  expect(result.failures).toEqual([]);
  return result.inputs;
}

const restores = (ns: string) => listIn(a, ns, "snapshot.kubevirt.io", "v1beta1", "virtualmachinerestores");

describe("VMRestore", () => {
  it("restores a stopped VM from a ready snapshot and leaves the VM and PVCs when deleted", async () => {
    const ns = await withSnapshot(false);
    await createReadySnapshot(a, ns, "snap-1", "db-1");
    const created = await host.call("create", await check({ namespace: ns, snapshotName: "snap-1" }));
    expect(created.id).toBe(`${ns}/rollback-${created.outs.restoreName.slice(-7)}`);
    expect(created.outs).toMatchObject({
      complete: true,
      targetVm: "db-1",
      failure: "",
      progressing: "Operation complete",
      apiVersion: "v1beta1",
    });
    expect(created.outs.restoreTime).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(created.outs.restores).toHaveLength(1);
    const [restored] = created.outs.restores;
    expect(restored.volumeName).toBe("rootdisk");
    expect(restored.persistentVolumeClaim).toMatch(/^restore-[0-9a-f-]+-rootdisk$/);

    const vm = await getVm(a, ns, "db-1");
    const claims = vm.spec.template.spec.volumes.map((v: any) => v.persistentVolumeClaim?.claimName);
    expect(claims).toEqual([restored.persistentVolumeClaim]);
    expect(vm.status.restoreInProgress ?? "").toBe("");
    expect(host.output.join("\n")).toMatch(/\[rollback\] r\d+\/rollback-[a-z0-9]{7}: complete/);

    await host.call("delete", created.id, created.outs);
    expect(await restores(ns)).toEqual([]);
    expect((await getPvc(a, ns, restored.persistentVolumeClaim))?.metadata?.name).toBe(
      restored.persistentVolumeClaim,
    );
    expect((await getVm(a, ns, "db-1")).metadata.name).toBe("db-1");
  });

  it("fails fast with KubeVirt's reason when the target runs under FailImmediate, keeps partial state, and is replaced", async () => {
    const ns = await withSnapshot(true);
    await createReadySnapshot(a, ns, "snap-1", "db-1");
    const inputs = await check({
      namespace: ns,
      snapshotName: "snap-1",
      targetReadinessPolicy: "FailImmediate",
    });
    const failed = await host.fail("create", inputs);
    expect(failed.message).toContain(`failed: ${FAIL_IMMEDIATE}.`);
    expect(failed.message).toContain("Fix: stop it (virtctl stop db-1 -n");
    expect(failed.reasons).toEqual([failed.message]);
    expect(failed.id).toBe(`${ns}/${String(inputs["name"])}`);
    expect(failed.properties).toMatchObject({ complete: false, failure: FAIL_IMMEDIATE });
    expect(host.output.join("\n")).toContain(
      "is running; with targetReadinessPolicy FailImmediate KubeVirt fails the restore at once",
    );
    const live = await getRestore(a, ns, String(inputs["name"]));
    expect(live.status.conditions.find((c: any) => c.type === "Failure")).toMatchObject({
      status: "True",
      reason: FAIL_IMMEDIATE,
    });

    const diff = await host.call("diff", failed.id, failed.properties, inputs);
    expect(diff).toEqual({ changes: true, replaces: ["complete"], deleteBeforeReplace: true });
    await host.call("delete", failed.id, failed.properties);
    expect(await restores(ns)).toEqual([]);

    // The replacement's create follows the delete at once, as Pulumi runs a delete-first replacement;
    // KubeVirt's webhook may still count the deleted restore for a moment.
    const replacement = await check({
      namespace: ns,
      snapshotName: "snap-1",
      targetReadinessPolicy: "StopTarget",
    });
    const created = await host.call("create", replacement);
    expect(created.outs).toMatchObject({ complete: true, failure: "", targetVm: "db-1" });
    await host.call("delete", created.id, created.outs);
  });

  it("lets KubeVirt stop a running target under StopTarget, printing its reasons while it waits", async () => {
    const ns = await withSnapshot(true);
    await createReadySnapshot(a, ns, "snap-1", "db-1");
    const created = await host.call(
      "create",
      await check({ namespace: ns, snapshotName: "snap-1", targetReadinessPolicy: "StopTarget" }),
    );
    expect(created.outs).toMatchObject({ complete: true, failure: "", targetVm: "db-1" });
    expect(host.output.join("\n")).toContain(
      `${ns}/${String(created.outs.restoreName)}: not complete; progressing: ${stopTargetReason()}`,
    );
    expect((await getVm(a, ns, "db-1")).spec.runStrategy).toBe("Halted");
    await host.call("delete", created.id, created.outs);
  });

  it("refuses a snapshot that is not readyToUse before creating anything", async () => {
    const ns = await withSnapshot(true, { "sim.kvsnap.io/freeze-error": "fsfreeze failed: SELinux denied" });
    await a.custom.createNamespacedCustomObject({
      group: "snapshot.kubevirt.io",
      version: "v1beta1",
      plural: "virtualmachinesnapshots",
      namespace: ns,
      body: {
        apiVersion: "snapshot.kubevirt.io/v1beta1",
        kind: "VirtualMachineSnapshot",
        metadata: { name: "stuck" },
        spec: { source: { apiGroup: "kubevirt.io", kind: "VirtualMachine", name: "db-1" } },
      },
    });
    await eventually(
      () =>
        a.custom.getNamespacedCustomObject({
          group: "snapshot.kubevirt.io",
          version: "v1beta1",
          plural: "virtualmachinesnapshots",
          namespace: ns,
          name: "stuck",
        }),
      (s) => s.status?.phase === "InProgress" && Boolean(s.status?.error?.message),
      "snapshot stuck in its freeze error",
    );
    const error = await host.fail("create", await check({ namespace: ns, snapshotName: "stuck" }));
    expect(error.message).toMatch(
      new RegExp(
        `^\\[rollback\\] VirtualMachineSnapshot ${ns}/stuck is not readyToUse \\(phase InProgress, readyToUse false, error: .*SELinux denied\\)`,
      ),
    );
    expect(error.message).toContain("so no restore was created");
    expect(error.id).toBeUndefined();
    const missing = await host.fail("create", await check({ namespace: ns, snapshotName: "nope" }));
    expect(missing.message).toContain(`VirtualMachineSnapshot ${ns}/nope not found (404)`);
    await eventually(
      () => restores(ns),
      (list) => list.length === 0,
      "no restore objects",
    );
  });

  it("refuses a second restore of a VM while a failed one exists, naming it and the fix; succeeds once it is deleted", async () => {
    const ns = await withSnapshot(true);
    await createReadySnapshot(a, ns, "snap-1", "db-1");
    await createRestore(a, ns, {
      name: "manual",
      snapshot: "snap-1",
      target: "db-1",
      targetReadinessPolicy: "FailImmediate",
    });
    await eventually(
      () => getRestore(a, ns, "manual"),
      (r) => r?.status?.conditions?.some((c: any) => c.type === "Failure" && c.status === "True"),
      "the hand-made restore failed",
    );
    const inputs = await check({
      namespace: ns,
      snapshotName: "snap-1",
      targetReadinessPolicy: "StopTarget",
    });
    const refused = await host.fail("create", inputs);
    expect(refused.message).toContain(
      `[rollback] KubeVirt refused to create VirtualMachineRestore ${ns}/${String(inputs["name"])} (snapshot snap-1 → VM db-1): ` +
        `KubeVirt allows only one incomplete restore per VM, failed ones included, and VM ${ns}/db-1 has another. No restore was created.`,
    );
    expect(refused.message).toContain(
      `- VirtualMachineRestore "manual" failed (KubeVirt: ${FAIL_IMMEDIATE}) and blocks the VM until it is deleted. ` +
        `Fix: kubectl delete vmrestore manual -n ${ns}, then run pulumi up again.`,
    );
    expect(refused.id).toBeUndefined();
    expect((await restores(ns)).map((r) => r.metadata.name)).toEqual(["manual"]);

    await deleteRestore(a, ns, "manual");
    await eventually(
      () => getRestore(a, ns, "manual"),
      (r) => r === undefined,
      "the hand-made restore gone",
    );
    const created = await host.call("create", inputs);
    expect(created.outs).toMatchObject({ complete: true, failure: "", targetVm: "db-1" });
    await host.call("delete", created.id, created.outs);
  });

  it("picks up its own leftover that KubeVirt's webhook counts as in progress (before the apiserver could say 409)", async () => {
    const ns = await withSnapshot(true);
    await createReadySnapshot(a, ns, "snap-1", "db-1");
    const inputs = await check({
      namespace: ns,
      snapshotName: "snap-1",
      targetReadinessPolicy: "WaitEventually",
    });
    const name = String(inputs["name"]);
    // What an interrupted run leaves: the restore under this resource's name and owner, still waiting.
    await a.custom.createNamespacedCustomObject({
      group: "snapshot.kubevirt.io",
      version: "v1beta1",
      plural: "virtualmachinerestores",
      namespace: ns,
      body: {
        apiVersion: "snapshot.kubevirt.io/v1beta1",
        kind: "VirtualMachineRestore",
        metadata: { name, annotations: { "pulumi-kubevirt-snapshot.io/owner": "itest/dev/rollback" } },
        spec: {
          target: { apiGroup: "kubevirt.io", kind: "VirtualMachine", name: "db-1" },
          virtualMachineSnapshotName: "snap-1",
          targetReadinessPolicy: "WaitEventually",
        },
      },
    });
    const leftover = await eventually(
      () => getRestore(a, ns, name),
      (r) => r?.status?.complete === false,
      "the leftover reconciled",
    );
    // KubeVirt's webhook runs before the apiserver's existence check, so the same create is refused as
    // "in progress", naming the leftover itself, not with 409 AlreadyExists.
    const again = await a.custom
      .createNamespacedCustomObject({
        group: "snapshot.kubevirt.io",
        version: "v1beta1",
        plural: "virtualmachinerestores",
        namespace: ns,
        body: { ...leftover, metadata: { name } },
      })
      .then(
        () => "created",
        (e: unknown) => {
          const { code, body } = e as { code?: number; body?: unknown };
          return `${String(code)} ${String(body)}`;
        },
      );
    expect(again).toMatch(new RegExp(`^422 .*VirtualMachineRestore \\\\"${name}\\\\" in progress`));
    const pending = host.call("create", inputs);
    await eventually(
      async () => host.output.join("\n"),
      (out) => out.includes(`[rollback] picking up ${ns}/${name}, left by an earlier run.`),
      "the provider picked up its leftover",
    );
    await mergePatch(a, {
      apiVersion: "kubevirt.io/v1",
      kind: "VirtualMachine",
      metadata: { name: "db-1", namespace: ns },
      spec: { runStrategy: "Halted" },
    });
    const created = await pending;
    expect(created.outs).toMatchObject({ complete: true, failure: "", restoreName: name });
    await host.call("delete", created.id, created.outs);
  });

  it("explains the Snapshot feature gate when KubeVirt refuses to create a restore", async () => {
    const ns = await withSnapshot(false);
    await createReadySnapshot(a, ns, "snap-1", "db-1");
    const inputs = await check({ namespace: ns, snapshotName: "snap-1" });
    await ground.setSnapshotGate(false);
    try {
      // KubeVirt's webhook reads the KubeVirt CR through an informer: probe with dry runs until it refuses.
      await eventually(
        dryRunProbe(a, ns, "virtualmachinerestores", "VirtualMachineRestore", PROBE_RESTORE),
        (r) => /feature gate/.test(r),
        "gate off takes effect",
        20_000,
      );
      const error = await host.fail("create", inputs);
      expect(error.message).toBe(
        `[rollback] KubeVirt refused to create VirtualMachineRestore ${ns}/${String(inputs["name"])} (snapshot snap-1 → VM db-1): ` +
          '"Snapshot/Restore feature gate not enabled". Restores need KubeVirt\'s Snapshot feature gate, which is off; ' +
          'no restore was created. Fix: add "Snapshot" to spec.configuration.developerConfiguration.featureGates of ' +
          "the KubeVirt CR (kubectl edit kubevirt -n kubevirt); on KubeVirt v1.8 and later also make sure it is not " +
          "listed in spec.configuration.developerConfiguration.disabledFeatureGates. Then run pulumi up again.",
      );
      expect(error.id).toBeUndefined();
    } finally {
      await ground.setSnapshotGate(true);
      await eventually(
        dryRunProbe(a, ns, "virtualmachinerestores", "VirtualMachineRestore", PROBE_RESTORE),
        (r) => r === "allowed",
        "gate on again",
        20_000,
      );
    }
    expect(await restores(ns)).toEqual([]);
  });

  it("refuses a volumeRestorePolicy this KubeVirt version lacks before creating anything, naming both versions", async () => {
    const ns = await withSnapshot(false);
    await createReadySnapshot(a, ns, "snap-p", "db-1");
    const version = kubevirtVersion();
    for (const [policy, since] of [
      ["InPlace", "v1.6.0"],
      ["PrefixTargetName", "v1.8.0"],
    ] as const) {
      const inputs = await check({ namespace: ns, snapshotName: "snap-p", volumeRestorePolicy: policy });
      if (kubevirtAtLeast(since)) {
        // This version has it: the restore is created and completes on the stopped VM.
        const done = await host.call("create", inputs);
        expect(done.outs).toMatchObject({ complete: true });
        await host.call("delete", done.id, { ...done.outs, __provider: host.providerText });
        continue;
      }
      const refused = await host.fail("create", inputs);
      expect(refused.message).toContain(
        `volumeRestorePolicy "${policy}" is not available: this cluster runs KubeVirt ${version}, and the policy ` +
          `exists from KubeVirt ${since}. Nothing was created.`,
      );
      expect(refused.id).toBeUndefined();
      expect(await restores(ns)).toEqual([]);
    }
  });

  it("is covered by the least-privilege Role, including patch for the grace check", async () => {
    const ns = "rbac-restore";
    await createNamespace(a, ns);
    await grantRole(a, ns);
    const authz = a.kc.makeApiClient(a.lib.AuthorizationV1Api);
    const allowed = async (verb: string) =>
      (
        await authz.createSubjectAccessReview({
          body: {
            spec: {
              user: "kvsnap-user",
              resourceAttributes: {
                namespace: ns,
                verb,
                group: "snapshot.kubevirt.io",
                resource: "virtualmachinerestores",
              },
            },
          },
        })
      ).status?.allowed === true;
    await eventually(
      async () => {
        const verbs = ["create", "get", "list", "watch", "delete", "patch"];
        const answers = await Promise.all(verbs.map(allowed));
        return verbs.filter((_, i) => !answers[i]);
      },
      (missing) => missing.length === 0,
      "every VMRestore verb granted to kvsnap-user",
    );
  });

  // Last in the file: the restore started in beforeAll has been waiting out KubeVirt's grace meanwhile.
  it(
    "ends a WaitGracePeriod restore of a running VM with KubeVirt's Failure once the 5m grace passes, touching only the restore",
    async () => {
      const { error, settledAt } = await grace.outcome;
      const graceEnd = Date.parse(grace.creationTimestamp) + GRACE_MS;
      const late = (settledAt - graceEnd) / 1000;
      console.log(`[grace] the provider's error came ${late.toFixed(1)} s after creationTimestamp + 5m`);
      expect(error?.message).toMatch(
        new RegExp(
          `^\\[graceful\\] VirtualMachineRestore ${grace.ns}/${grace.name} \\(snapshot snap-1 → VM db-1\\) failed: ` +
            "Restore target failed to be ready within 5m0s",
        ),
      );
      expect(error?.message).toContain("Fix: stop it (virtctl stop db-1 -n");
      expect(error?.properties).toMatchObject({ complete: false });
      expect(late).toBeGreaterThanOrEqual(0);
      expect(late).toBeLessThan(20);

      const live = await getRestore(a, grace.ns, grace.name);
      const touched = live.metadata.annotations?.["pulumi-kubevirt-snapshot.io/grace-check"];
      expect(Date.parse(touched)).toBeGreaterThanOrEqual(graceEnd);
      const failure = live.status.conditions.find((c: any) => c.type === "Failure");
      expect(failure).toMatchObject({ status: "True" });
      expect(Date.parse(failure.lastTransitionTime)).toBeGreaterThanOrEqual(graceEnd);
      expect(host.output.join("\n")).toContain(
        `[graceful] ${grace.ns}/${grace.name}: KubeVirt's 5m grace period for the target has passed; touching the restore`,
      );

      const vm = await getVm(a, grace.ns, "db-1");
      expect(vm.spec).toEqual(grace.vmBefore.spec);
      expect(vm.spec.runStrategy).toBe("Always");
      expect(vm.metadata.generation).toBe(grace.vmBefore.metadata.generation);
      expect(vm.metadata.annotations?.["pulumi-kubevirt-snapshot.io/grace-check"]).toBeUndefined();

      await host.call("delete", error!.id, error!.properties);
      expect(await restores(grace.ns)).toEqual([]);
    },
    8 * 60_000,
  );
});

/** The WaitGracePeriod restore the last test awaits. */
interface GraceRun {
  ns: string;
  name: string;
  creationTimestamp: string;
  vmBefore: any;
  outcome: Promise<{ error: HostError | undefined; settledAt: number }>;
}

/** Starts a default-policy restore of a running VM through the provider host; returns once KubeVirt has it. */
async function startGraceRun(): Promise<GraceRun> {
  const ns = "grace";
  await createNamespace(a, ns);
  await createVm(a, ns, { name: "db-1", running: true });
  await vmReady(a, ns, "db-1", true);
  await createReadySnapshot(a, ns, "snap-1", "db-1");
  const vmBefore = await getVm(a, ns, "db-1");
  const inputs = await check({
    namespace: ns,
    snapshotName: "snap-1",
    timeout: "7m",
    resourceName: "graceful",
    owner: "itest/dev/graceful",
  });
  expect(inputs["targetReadinessPolicy"]).toBe("WaitGracePeriod");
  const name = String(inputs["name"]);
  const outcome = host.fail("create", inputs).then(
    (error) => ({ error, settledAt: Date.now() }),
    (unexpected: unknown) => ({
      error: { message: `create did not fail: ${String(unexpected)}` },
      settledAt: Date.now(),
    }),
  );
  const live = await eventually(
    () => getRestore(a, ns, name),
    (r) => Boolean(r?.metadata?.creationTimestamp),
    "the grace restore created",
  );
  return { ns, name, creationTimestamp: live.metadata.creationTimestamp, vmBefore, outcome };
}
