/**
 * Phase 5, cold start: Pulumi's dynamic-provider host started as the engine starts it, then Configure, Check
 * and Create of one VMSnapshot. Measured: host start to its port, the first Check (which deserializes the
 * provider and loads the implementation), and host start to the first Create's POST reaching the apiserver
 * (loading @kubernetes/client-node, reading the kubeconfig, TLS, discovery, the VM's pre-checks); then the
 * same Create lead (call to POST) for a second snapshot in the warm host. The floor is the host of a no-op
 * dynamic provider: start to port, and start to its first Create answered; and, for the cold create's lead,
 * the import of @kubernetes/client-node alone in a bare node process (client-node-floor.ts).
 */
import { MEASURED_USER } from "./audit-policy";
import type { BenchContext } from "./bench-ground";
import { clientNodeFloor, clientNodeSample, type ClientNodeFloor } from "./client-node-floor";
import { wallNow } from "./clock";
import { noopProvider, serializedText, startDynamicHost, vmSnapshotProviderText } from "./dynamic-host";
import { checkedSnapshot, KUBECONFIG_KEY, snapshotUrn } from "./peers/provider-peer";
import type { ProviderClient } from "./provider-client";
import { deleteAllSnapshots } from "./snapshots";
import { benchNamespace, createVms } from "./vms";

const NAMESPACE = "bench-cold";

/** One cold start's figures, ms. */
export interface ColdStart {
  /** Host start to its port. */
  port: number;
  /** Host start to the first Create's POST at the apiserver (ours) or to the first Create answered (no-op). */
  firstCreate: number;
  /** The first Check call (ours: the implementation loads here). */
  firstCheck: number;
  /** Create call to its POST at the apiserver: first (cold) and second (warm) create. */
  coldLead?: number;
  warmLead?: number;
}

/** Checks and creates a snapshot; resolves with when its POST reached the apiserver, and how long after the call. */
async function createLead(
  ctx: BenchContext,
  host: ProviderClient,
  text: string,
  label: string,
  vm: string,
): Promise<{ postAt: number; lead: number }> {
  const inputs = await checkedSnapshot(host, text, {
    namespace: NAMESPACE,
    vm,
    failureDeadline: "5m",
    timeoutS: 300,
    label,
  });
  const sent = wallNow();
  const created = host.create(snapshotUrn(label), inputs, 300);
  const post = await ctx.audit.waitFor(
    (e) =>
      e.verb === "create" &&
      e.stage === "ResponseComplete" &&
      e.user.username === MEASURED_USER &&
      e.objectRef?.resource === "virtualmachinesnapshots" &&
      e.objectRef.name === inputs["name"],
    `POST of ${String(inputs["name"])}`,
  );
  await created;
  return { postAt: post.received, lead: post.received - sent };
}

async function coldOurs(ctx: BenchContext, text: string, n: number): Promise<ColdStart> {
  const start = wallNow();
  const host = await startDynamicHost(ctx.engine.address);
  const port = wallNow() - start;
  try {
    await host.configure({ [KUBECONFIG_KEY]: ctx.userKubeconfig });
    const checkStart = wallNow();
    await checkedSnapshot(host, text, {
      namespace: NAMESPACE,
      vm: "cold-0",
      failureDeadline: "5m",
      timeoutS: 300,
      label: `probe-${n}`,
    });
    const firstCheck = wallNow() - checkStart;
    const cold = await createLead(ctx, host, text, `c${n}-0`, "cold-0");
    const warm = await createLead(ctx, host, text, `c${n}-1`, "cold-1");
    return { port, firstCheck, firstCreate: cold.postAt - start, coldLead: cold.lead, warmLead: warm.lead };
  } finally {
    await host.close();
  }
}

async function coldNoop(ctx: BenchContext, text: string, n: number): Promise<ColdStart> {
  const start = wallNow();
  const host = await startDynamicHost(ctx.engine.address);
  const port = wallNow() - start;
  try {
    await host.configure({});
    const urn = `urn:pulumi:bench::bench::pulumi-nodejs:dynamic:Resource::noop-${n}`;
    const checkStart = wallNow();
    const { inputs } = await host.check(urn, { resourceName: `noop-${n}`, __provider: text });
    const firstCheck = wallNow() - checkStart;
    await host.create(urn, inputs, 60);
    return { port, firstCheck, firstCreate: wallNow() - start };
  } finally {
    await host.close();
  }
}

/** What the phase measured. */
export interface ColdStartResult {
  ours: ColdStart[];
  noop: ColdStart[];
  /** A bare node process importing client-node, one sample beside each cold start. */
  clientNode: ClientNodeFloor;
}

/** Runs the phase: `plan.coldSamples` cold starts of each host, and as many samples of the client-node floor. */
export async function measureColdStart(ctx: BenchContext): Promise<ColdStartResult> {
  await benchNamespace(ctx.a, NAMESPACE, ctx.userKubeconfig);
  await createVms(ctx.a, NAMESPACE, ["cold-0", "cold-1"]);
  const [ourText, noopText] = [await vmSnapshotProviderText(), await serializedText(noopProvider)];
  const ours: ColdStart[] = [];
  const noop: ColdStart[] = [];
  const floor = [];
  for (let n = 0; n < ctx.plan.coldSamples; n++) {
    noop.push(await coldNoop(ctx, noopText, n));
    floor.push(await clientNodeSample());
    ours.push(await coldOurs(ctx, ourText, n));
    await deleteAllSnapshots(ctx.a, NAMESPACE);
  }
  return { ours, noop, clientNode: clientNodeFloor(floor) };
}
