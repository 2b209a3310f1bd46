/**
 * The provider's requests to a real kube-apiserver (TLS with client certificates, as the ground's kubeconfig
 * has) share connections: client-node 2.x alone opens a new TCP + TLS connection per request
 * (provider/kube/shared-connections.ts). Connections are counted where undici makes them, on its
 * `undici:client:connected` diagnostics channel, in this process, which runs the provider's cluster code.
 */
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { readFileSync } from "node:fs";
import { connectCluster } from "../../provider/kube/connect";
import type { RestoreCluster } from "../../provider/kube/cluster";
import { createNamespace, createVm, type Admin } from "../ground/fixtures";
import type { Ground } from "../ground/ground";
import { readyGround } from "../ground/suite";

const CONNECTED = "undici:client:connected";
let ground: Ground;
let a: Admin;

beforeAll(async () => {
  ({ ground, a } = await readyGround());
  await createNamespace(a, "conn");
  await createVm(a, "conn", { name: "db-1", running: false });
});
afterAll(async () => ground?.stop());

/** How many connections `run` opened (only the provider's cluster code runs meanwhile). */
async function connectionsOf(run: () => Promise<unknown>): Promise<number> {
  let connected = 0;
  const count = () => {
    connected += 1;
  };
  subscribe(CONNECTED, count);
  try {
    await run();
  } finally {
    unsubscribe(CONNECTED, count);
  }
  return connected;
}

it("sequential requests reuse one connection, and a burst opens at most one per request in flight, reused after", async () => {
  const kubeconfig = readFileSync(ground.adminKubeconfig, "utf8");
  const cluster: RestoreCluster = await connectCluster({ kubeconfig }, undefined);
  const ref = { version: "v1beta1", namespace: "conn", name: "none-such" };
  const reads = async (n: number) => {
    for (let i = 0; i < n; i++) {
      expect(await cluster.getVirtualMachine("conn", "db-1")).toBeDefined();
      expect(await cluster.getSnapshot(ref)).toBeUndefined();
    }
  };
  // 20 requests one after the other. Without the shared pool: 20 connections. A second one is allowed in case
  // the host stalls past undici's 4 s keep-alive between two of them.
  expect(await connectionsOf(() => reads(10))).toBeLessThanOrEqual(2);
  const burst = await connectionsOf(() =>
    Promise.all(Array.from({ length: 6 }, () => cluster.getVirtualMachine("conn", "db-1"))),
  );
  expect(burst).toBeLessThanOrEqual(6);
  expect(await connectionsOf(() => reads(10))).toBeLessThanOrEqual(1);
});
