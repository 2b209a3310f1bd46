/**
 * The snapshot API version is chosen by discovery: v1alpha1 on an old KubeVirt, v1 where it is served. These
 * grounds serve hand-written snapshot CRDs and run no KubeVirt controller (KubeVirt's use v1beta1), so the test
 * checks what the provider writes and reads, not a finished snapshot.
 */
import { readFileSync } from "node:fs";
import { startProviderHost } from "../support/host-client";
import { admin, createNamespace, createStorage, createVm } from "../ground/fixtures";
import { startGround, type CrdFlavour } from "../ground/ground";

it.each([
  ["v1alpha1-only", "v1alpha1"],
  ["with-v1", "v1"],
] as [CrdFlavour, string][])("a %s cluster is spoken to through %s", async (crds, expected) => {
  const ground = await startGround({ crds });
  const host = await startProviderHost({
    "pulumi-kubevirt-snapshot:kubeconfig": readFileSync(ground.adminKubeconfig, "utf8"),
  });
  try {
    const a = await admin(ground.adminKubeconfig);
    await createStorage(a);
    await createNamespace(a, "disc");
    await createVm(a, "disc", { name: "db-1", running: false });
    const check = await host.call("check", undefined, {
      namespace: "disc",
      vmName: "db-1",
      name: "disc-snap",
      timeout: "2s",
      resourceName: "snap",
      owner: "itest/dev/snap",
      __provider: host.providerText,
    });
    // No controller answers: the wait ends at the local bound, and the snapshot stays in state.
    const unfinished = await host.fail("create", check.inputs);
    expect(unfinished.properties).toMatchObject({ apiVersion: expected, snapshotName: "disc-snap" });
    const live = (await a.custom.getNamespacedCustomObject({
      group: "snapshot.kubevirt.io",
      version: expected,
      namespace: "disc",
      plural: "virtualmachinesnapshots",
      name: "disc-snap",
    })) as { apiVersion: string };
    expect(live.apiVersion).toBe(`snapshot.kubevirt.io/${expected}`);
    await host.call("delete", unfinished.id, { ...unfinished.properties, __provider: host.providerText });
    const left = (await a.custom.listNamespacedCustomObject({
      group: "snapshot.kubevirt.io",
      version: expected,
      namespace: "disc",
      plural: "virtualmachinesnapshots",
    })) as { items: unknown[] };
    expect(left.items).toEqual([]);
  } finally {
    await host.stop();
    await ground.stop();
  }
});
