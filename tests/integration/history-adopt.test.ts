/**
 * History and adopt against a real kube-apiserver with the KubeVirt simulator, with the provider as
 * Pulumi's host runs it: a replaced snapshot is kept as history and pruned beyond N across several
 * replacements, destroy takes the history with it, other owners' and hand-made snapshots are never
 * touched; adopt takes over a hand-made snapshot and refuses Failed, foreign and other-VM ones.
 */
import type { ProviderHost } from "../support/host-client";
import {
  createNamespace,
  createVm,
  eventually,
  leftovers,
  listIn,
  nothingLeft,
  vmReady,
  type Admin,
} from "../ground/fixtures";
import { readyGroundWithHost } from "../ground/suite";
import { freezeErrorText } from "../ground/kubevirt-behaviour";

let a: Admin;
let host: ProviderHost;
let n = 0;

let stop: () => Promise<void> = async () => undefined;

beforeAll(async () => {
  ({ a, host, stop } = await readyGroundWithHost());
});
afterAll(() => stop());

const SNAP = { group: "snapshot.kubevirt.io", version: "v1beta1", plural: "virtualmachinesnapshots" };
const HISTORY = "pulumi-kubevirt-snapshot.io/history";
const OWNER = "pulumi-kubevirt-snapshot.io/owner";

async function withVm(annotations: Record<string, string> = {}): Promise<string> {
  const ns = `h${++n}`;
  await createNamespace(a, ns);
  await createVm(a, ns, { name: "db-1", annotations });
  await vmReady(a, ns, "db-1");
  return ns;
}

/** `check` as the engine calls it for a new resource (no olds: a replacement gets a fresh auto-name). */
async function check(news: Record<string, unknown>, owner = "itest/dev/nightly") {
  const resourceName = owner.split("/")[2];
  const result = await host.call<{ inputs: Record<string, unknown>; failures: unknown[] }>(
    "check",
    undefined,
    {
      vmName: "db-1",
      resourceName,
      owner,
      ...news,
      __provider: host.providerText,
    },
  );
  expect(result.failures).toEqual([]);
  return result.inputs;
}

async function handMade(ns: string, name: string, extra: { vm?: string; failureDeadline?: string } = {}) {
  await a.custom.createNamespacedCustomObject({
    ...SNAP,
    namespace: ns,
    body: {
      apiVersion: "snapshot.kubevirt.io/v1beta1",
      kind: "VirtualMachineSnapshot",
      metadata: { name },
      spec: {
        source: { apiGroup: "kubevirt.io", kind: "VirtualMachine", name: extra.vm ?? "db-1" },
        ...(extra.failureDeadline ? { failureDeadline: extra.failureDeadline } : {}),
      },
    },
  });
}
const get = (ns: string, name: string): Promise<any> =>
  a.custom.getNamespacedCustomObject({ ...SNAP, namespace: ns, name });
const snapshots = async (ns: string) =>
  (await listIn(a, ns, SNAP.group, SNAP.version, SNAP.plural))
    .map((s: any) => ({ name: s.metadata.name as string, history: s.metadata.labels?.[HISTORY] === "true" }))
    .sort((x, y) => x.name.localeCompare(y.name));

describe("history", () => {
  it("keeps the last 2 replaced snapshots across replacements, and destroy deletes them with the snapshot", async () => {
    const ns = await withVm();
    await handMade(ns, "manual-1");
    await eventually(
      () => get(ns, "manual-1"),
      (s) => s.status?.readyToUse === true,
      "manual snapshot ready",
    );
    const other = await host.call("create", await check({ namespace: ns, history: 1 }, "itest/dev/other"));

    const names: string[] = [];
    let previous: { id: string; outs: Record<string, any> } | undefined;
    for (let i = 0; i < 4; i++) {
      const created = await host.call(
        "create",
        await check({ namespace: ns, history: 2, triggers: [`day-${i}`] }),
      );
      names.push(created.outs.snapshotName as string);
      // the engine deletes the replaced resource after its replacement is created
      if (previous) await host.call("delete", previous.id, previous.outs);
      previous = created;
      const expected = names.slice(0, -1).slice(-2).reverse();
      expect(created.outs.keptHistory.map((e: any) => e.name)).toEqual(expected);
      expect(
        created.outs.keptHistory.every((e: any) => e.readyToUse === true && e.phase === "Succeeded"),
      ).toBe(true);
    }
    expect(await snapshots(ns)).toEqual(
      [
        { name: "manual-1", history: false },
        { name: other.outs.snapshotName, history: false },
        { name: names[1], history: true },
        { name: names[2], history: true },
        { name: names[3], history: false },
      ].sort((x, y) => x.name.localeCompare(y.name)),
    );
    expect(host.output.join("\n")).toContain(`pruning history snapshot ${ns}/${names[0]}`);

    const refreshed = await host.call("read", previous!.id, previous!.outs);
    expect(refreshed.props.keptHistory.map((e: any) => e.name)).toEqual([names[2], names[1]]);

    await host.call("delete", previous!.id, previous!.outs); // destroy
    expect((await snapshots(ns)).map((s) => s.name)).toEqual(["manual-1", other.outs.snapshotName].sort());
    await host.call("delete", other.id, other.outs);
    await a.custom.deleteNamespacedCustomObject({ ...SNAP, namespace: ns, name: "manual-1" });
    await eventually(
      () => leftovers(a, ns),
      (l) => l.snapshots.length === 0 && l.contents.length === 0,
      "clean",
    );
  });

  it("retainHistoryOnDestroy leaves the history in the cluster", async () => {
    const ns = await withVm();
    const first = await host.call("create", await check({ namespace: ns, history: 3, triggers: ["a"] }));
    const second = await host.call(
      "create",
      await check({ namespace: ns, history: 3, retainHistoryOnDestroy: true, triggers: ["b"] }),
    );
    await host.call("delete", first.id, first.outs);
    await host.call("delete", second.id, second.outs);
    expect(await snapshots(ns)).toEqual([{ name: first.outs.snapshotName, history: true }]);
    expect((await get(ns, first.outs.snapshotName)).metadata.annotations[OWNER]).toBe("itest/dev/nightly");
  });
});

describe("adopt", () => {
  it("takes over a hand-made snapshot: labels it, waits for readiness, and deletes it on destroy", async () => {
    const ns = await withVm({ "sim.kvsnap.io/ready-delay-ms": "1500" });
    await handMade(ns, "made-by-kubectl");
    const adopted = await host.call(
      "create",
      await check({ namespace: ns, name: "made-by-kubectl", adopt: true }, "itest/dev/imported"),
    );
    expect(adopted.outs).toMatchObject({
      snapshotName: "made-by-kubectl",
      readyToUse: true,
      phase: "Succeeded",
      online: true,
      guestAgentConnected: true,
    });
    const live = await get(ns, "made-by-kubectl");
    expect(live.metadata.labels["app.kubernetes.io/managed-by"]).toBe("pulumi-kubevirt-snapshot");
    expect(live.metadata.annotations[OWNER]).toBe("itest/dev/imported");
    await host.call("delete", adopted.id, adopted.outs);
    await nothingLeft(a, ns);
  });

  it("refuses a Failed snapshot, a snapshot another resource owns, one of another VM, and a missing one", async () => {
    const ns = await withVm({ "sim.kvsnap.io/freeze-error": "fsfreeze failed: SELinux denied" });
    await handMade(ns, "failed-1", { failureDeadline: "2s" });
    await eventually(
      () => get(ns, "failed-1"),
      (s) => s.status?.phase === "Failed",
      "Failed",
      30_000,
    );
    const failed = await host.fail(
      "create",
      await check({ namespace: ns, name: "failed-1", adopt: true, failureDeadline: "2s" }),
    );
    expect(failed.message).toBe(
      `[nightly] adopt: VirtualMachineSnapshot ${ns}/failed-1 cannot be adopted; nothing was changed:\n` +
        `  - it is Failed (snapshot deadline exceeded: ${freezeErrorText("db-1", "Internal error occurred: fsfreeze failed: SELinux denied")}) and stays Failed. Fix: ` +
        `delete it (kubectl delete vmsnapshot failed-1 -n ${ns}) and take a new one: remove adopt (and name).`,
    );
    expect(failed.id).toBeUndefined();

    const ns2 = await withVm();
    const theirs = await host.call("create", await check({ namespace: ns2 }, "itest/prod/theirs"));
    const foreign = await host.fail(
      "create",
      await check({ namespace: ns2, name: theirs.outs.snapshotName, adopt: true }, "itest/dev/mine"),
    );
    expect(foreign.message).toContain('it belongs to another Pulumi resource ("itest/prod/theirs")');
    expect((await get(ns2, theirs.outs.snapshotName)).metadata.annotations[OWNER]).toBe("itest/prod/theirs");

    await createVm(a, ns2, { name: "web-1" });
    await vmReady(a, ns2, "web-1");
    await handMade(ns2, "web-snap", { vm: "web-1" });
    const otherVm = await host.fail("create", await check({ namespace: ns2, name: "web-snap", adopt: true }));
    expect(otherVm.message).toContain(
      'it is a snapshot of VirtualMachine "web-1", not of VirtualMachine "db-1"',
    );

    const missing = await host.fail("create", await check({ namespace: ns2, name: "nope", adopt: true }));
    expect(missing.message).toContain(`adopt: VirtualMachineSnapshot ${ns2}/nope not found (404)`);
    await host.call("delete", theirs.id, theirs.outs);
  });
});
