/** The snapshot API version is chosen by discovery: v1alpha1 on an old KubeVirt, v1 where it is served. */
import { readFileSync } from "node:fs";
import { startProviderHost } from "../support/host-client";
import { admin, createNamespace, createStorage, createVm, nothingLeft, vmReady } from "../ground/fixtures";
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
    await createVm(a, "disc", { name: "db-1" });
    await vmReady(a, "disc", "db-1");
    const check = await host.call("check", undefined, {
      namespace: "disc",
      vmName: "db-1",
      resourceName: "snap",
      owner: "itest/dev/snap",
      __provider: host.providerText,
    });
    const created = await host.call("create", check.inputs);
    expect(created.outs).toMatchObject({ apiVersion: expected, readyToUse: true });
    await host.call("delete", created.id, { ...created.outs, __provider: host.providerText });
    if (crds !== "v1alpha1-only") await nothingLeft(a, "disc");
  } finally {
    await host.stop();
    await ground.stop();
  }
});
