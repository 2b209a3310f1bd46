/**
 * VMRestore against a real kube-apiserver with the simulator's restore controller, with the provider as
 * Pulumi's host runs it: restore of a stopped VM, FailImmediate refusing a running VM (KubeVirt's reason,
 * partial state, replace on the next up), a snapshot that is not ready refused before anything is created,
 * and delete leaving the restored VM and PVCs in place.
 */
import type { ProviderHost } from "../support/host-client";
import {
  createNamespace,
  createReadySnapshot,
  createVm,
  eventually,
  getPvc,
  getRestore,
  getVm,
  listIn,
  vmReady,
  type Admin,
} from "../ground/fixtures";
import { readyGroundWithHost } from "../ground/suite";

let a: Admin;
let host: ProviderHost;
let n = 0;

let stop: () => Promise<void> = async () => undefined;

beforeAll(async () => {
  ({ a, host, stop } = await readyGroundWithHost("serializedRestoreProvider"));
});
afterAll(() => stop());

const FAIL_IMMEDIATE = "Restore target VMI must be powered off before restore operation";

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
      `${ns}/${String(created.outs.restoreName)}: not complete; progressing: Automatically stopping restore target for restore operation`,
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
});
