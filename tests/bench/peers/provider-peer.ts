/**
 * This provider's create, through Pulumi's real Node dynamic-provider host over gRPC (Configure from stack
 * config, then Check and Create as the engine calls them), running as the least-privilege user.
 */
import { MEASURED_USER } from "../audit-policy";
import type { AuditLog } from "../audit-log";
import { watchInPlace } from "../audit-queries";
import { wallNow } from "../clock";
import { startDynamicHost, vmSnapshotProviderText } from "../dynamic-host";
import type { ProviderClient } from "../provider-client";
import { ending, handled, PEER_NAMES, type Peer, type Target, type Wait } from "./peer";

const TYPE = "pulumi-nodejs:dynamic/kubevirt-snapshot:VMSnapshot";

/** The URN the engine would give a VMSnapshot named `name`. */
export function snapshotUrn(name: string): string {
  return `urn:pulumi:bench::bench::${TYPE}::${name}`;
}

/** The stack config key of the provider's kubeconfig. */
export const KUBECONFIG_KEY = "pulumi-kubevirt-snapshot:kubeconfig";

/** A host serving VMSnapshot, configured with `kubeconfig` (contents) as stack config. */
export async function startVmSnapshotHost(engine: string, kubeconfig: string): Promise<ProviderClient> {
  const host = await startDynamicHost(engine);
  await host.configure({ [KUBECONFIG_KEY]: kubeconfig });
  return host;
}

/** The checked inputs of a VMSnapshot of `target`, as the engine would pass them to create. */
export async function checkedSnapshot(
  host: ProviderClient,
  providerText: string,
  target: Target,
): Promise<Record<string, unknown>> {
  const news = {
    namespace: target.namespace,
    vmName: target.vm,
    failureDeadline: target.failureDeadline,
    resourceName: target.label,
    owner: `bench/bench/${target.label}`,
    __provider: providerText,
  };
  const { inputs, failures } = await host.check(snapshotUrn(target.label), news);
  if (failures.length) throw new Error(`check refused ${target.label}: ${failures.join("; ")}`);
  return inputs;
}

/** The provider peer. */
export async function providerPeer(engine: string, kubeconfig: string, audit: AuditLog): Promise<Peer> {
  const host = await startVmSnapshotHost(engine, kubeconfig);
  const text = await vmSnapshotProviderText();
  return {
    name: PEER_NAMES.provider,
    async start(target: Target): Promise<Wait> {
      const inputs = await checkedSnapshot(host, text, target);
      const snapshot = String(inputs["name"]);
      const since = wallNow();
      const done = ending(host.create(snapshotUrn(target.label), inputs, target.timeoutS), wallNow);
      const armed = handled(watchInPlace(audit, { user: MEASURED_USER }, target.namespace, snapshot, since));
      return { snapshot, armed, done };
    },
    close: () => host.close(),
  };
}
