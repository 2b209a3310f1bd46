/**
 * The wait survives what real clusters do to long watches: an apiserver restart in the middle of a wait
 * (the watch fails, reconnects and completes), and connections cut every 30 s.
 */
import { readFileSync } from "node:fs";
import { startProviderHost, type ProviderHost } from "../support/host-client";
import {
  createNamespace,
  createVm,
  eventually,
  listIn,
  nothingLeft,
  vmReady,
  type Admin,
} from "../ground/fixtures";
import type { Ground } from "../ground/ground";
import { readyGround } from "../ground/suite";
import { startCuttingProxy, viaPort } from "../ground/cutting-proxy";

let ground: Ground;
let a: Admin;

beforeAll(async () => {
  ({ ground, a } = await readyGround());
});
afterAll(async () => ground?.stop());

async function checked(host: ProviderHost, news: Record<string, unknown>) {
  const r = await host.call("check", undefined, {
    resourceName: "snap",
    owner: "itest/dev/snap",
    ...news,
    __provider: host.providerText,
  });
  return r.inputs as Record<string, unknown>;
}

it("resumes and completes the wait after the apiserver restarts mid-wait", async () => {
  await createNamespace(a, "restart");
  await createVm(a, "restart", {
    name: "db-1",
    annotations: { "sim.kvsnap.io/volume-snapshot-delay-ms": "8000" },
  });
  await vmReady(a, "restart", "db-1");
  const host = await startProviderHost({
    "pulumi-kubevirt-snapshot:kubeconfig": readFileSync(ground.adminKubeconfig, "utf8"),
  });
  try {
    const creating = host.call("create", await checked(host, { namespace: "restart", vmName: "db-1" }));
    // The CSI stand-in holds the VolumeSnapshot for 8 s, so the snapshot stays InProgress while we restart.
    await eventually(
      () => listIn(a, "restart", "snapshot.kubevirt.io", "v1beta1", "virtualmachinesnapshots"),
      (items) => items.length === 1,
      "the provider created its snapshot",
    );
    await ground.restartApiserver(1000);
    const created = await creating;
    expect(created.outs).toMatchObject({ phase: "Succeeded", readyToUse: true });
    await host.call("delete", created.id, { ...created.outs, __provider: host.providerText });
    await nothingLeft(a, "restart");
  } catch (e) {
    console.error(
      `provider output:\n${host.output.join("\n")}\nground:\n${ground.log.slice(-40).join("\n")}`,
    );
    throw e;
  } finally {
    await host.stop();
  }
});

it("keeps waiting through connections cut every 30 s", async () => {
  await createNamespace(a, "cuts");
  await createVm(a, "cuts", {
    name: "db-1",
    annotations: { "sim.kvsnap.io/volume-snapshot-delay-ms": "500", "sim.kvsnap.io/ready-delay-ms": "65000" },
  });
  await vmReady(a, "cuts", "db-1");
  const proxy = await startCuttingProxy(ground.port, 30_000);
  const host = await startProviderHost({
    "pulumi-kubevirt-snapshot:kubeconfig": viaPort(readFileSync(ground.adminKubeconfig, "utf8"), proxy.port),
  });
  try {
    const created = await host.call("create", await checked(host, { namespace: "cuts", vmName: "db-1" }));
    expect(created.outs).toMatchObject({ phase: "Succeeded", readyToUse: true });
    expect(proxy.cuts()).toBeGreaterThanOrEqual(2);
    await host.call("delete", created.id, { ...created.outs, __provider: host.providerText });
    await nothingLeft(a, "cuts");
  } finally {
    await host.stop();
    await proxy.stop();
  }
});
