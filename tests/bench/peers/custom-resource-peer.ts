/**
 * pulumi-kubernetes' generic CustomResource with the `pulumi.com/waitFor` annotation: the plugin's Check and
 * Create over gRPC, with the type and inputs @pulumi/kubernetes' CustomResource registers
 * (`kubernetes:snapshot.kubevirt.io/v1beta1:VirtualMachineSnapshot`, apiVersion, kind, metadata, spec).
 */
import { MEASURED_USER } from "../audit-policy";
import type { AuditLog } from "../audit-log";
import { watchInPlace } from "../audit-queries";
import { wallNow } from "../clock";
import { startKubernetesPlugin, type KubernetesPlugin } from "../kubernetes-plugin";
import { snapshotBody } from "../snapshots";
import { ending, handled, PEER_NAMES, type Peer, type Target, type Wait } from "./peer";

const TYPE = "kubernetes:snapshot.kubevirt.io/v1beta1:VirtualMachineSnapshot";
/** What the CustomResource waits for. */
export const WAIT_FOR = "jsonpath={.status.readyToUse}=true";

/** The CustomResource peer, with the plugin configured for `kubeconfig` (contents). */
export async function customResourcePeer(
  plugin: KubernetesPlugin,
  engine: string,
  kubeconfig: string,
  audit: AuditLog,
): Promise<Peer> {
  const client = await startKubernetesPlugin(plugin, engine, kubeconfig);
  return {
    name: PEER_NAMES.customResource,
    async start(target: Target): Promise<Wait> {
      const snapshot = target.label;
      const urn = `urn:pulumi:bench::bench::${TYPE}::${target.label}`;
      const body = snapshotBody(snapshot, target.vm, target.failureDeadline, {
        "pulumi.com/waitFor": WAIT_FOR,
      });
      const news = {
        ...body,
        metadata: { ...(body as { metadata: object }).metadata, namespace: target.namespace },
      };
      const { inputs, failures } = await client.check(urn, news);
      if (failures.length) throw new Error(`kubernetes check refused ${snapshot}: ${failures.join("; ")}`);
      const since = wallNow();
      const done = ending(client.create(urn, inputs, target.timeoutS), wallNow);
      const who = { user: MEASURED_USER, userAgentPrefix: "pulumi-kubernetes/" };
      return { snapshot, armed: handled(watchInPlace(audit, who, target.namespace, snapshot, since)), done };
    },
    close: () => client.close(),
  };
}
