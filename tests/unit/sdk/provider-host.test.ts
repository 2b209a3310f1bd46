/**
 * The provider as Pulumi runs it: serialized like pulumi.dynamic.Resource does, evaluated in a separate
 * Node process from a program directory whose node_modules holds this package, configured with stack
 * config, and driven over HTTP against a small Kubernetes API stand-in (real @kubernetes/client-node).
 * Needs `npm run build` first (npm test does it).
 */
import { startProviderHost, type ProviderHost } from "../../support/host-client";
import { firstStatus, locked, ready, succeeded } from "../../support/kubevirt-script";
import { kubeconfigFor, startMiniApiserver, type MiniApiserver } from "../../support/mini-apiserver";

jest.setTimeout(60_000);

const news = {
  namespace: "prod",
  vmName: "db-1",
  resourceName: "before-upgrade",
  owner: "demo/dev/before-upgrade",
};

describe("the serialized provider in a provider-host process", () => {
  let server: MiniApiserver;
  let host: ProviderHost | undefined;
  beforeEach(async () => {
    server = await startMiniApiserver([firstStatus, locked(["GuestAgent", "Online"]), succeeded(), ready]);
  });
  afterEach(async () => {
    await host?.stop();
    await server.close();
  });

  it("stays under 256 bytes and captures nothing about the cluster", async () => {
    host = await startProviderHost({ "pulumi-kubevirt-snapshot:kubeconfig": kubeconfigFor(server.url) });
    expect(Buffer.byteLength(host.providerText)).toBeLessThanOrEqual(256);
    expect(host.providerText).toContain('require("pulumi-kubevirt-snapshot/provider")');
    expect(host.providerText).not.toMatch(/zod|client-node|127\.0\.0\.1|token/);
  });

  it("checks, creates, reads and deletes through the real Kubernetes client with the kubeconfig from stack config", async () => {
    host = await startProviderHost({ "pulumi-kubevirt-snapshot:kubeconfig": kubeconfigFor(server.url) });
    const check = await host.call("check", undefined, { ...news, __provider: host.providerText });
    expect(check.failures).toEqual([]);
    const name = check.inputs.name as string;
    expect(name).toMatch(/^before-upgrade-[a-z0-9]{7}$/);
    const created = await host.call("create", check.inputs);
    expect(created).toMatchObject({
      id: `prod/${name}`,
      outs: {
        phase: "Succeeded",
        readyToUse: true,
        indications: ["GuestAgent", "Online"],
        apiVersion: "v1beta1",
      },
    });
    const props = { ...created.outs, __provider: host.providerText };
    expect(await host.call("read", created.id, props)).toMatchObject({
      id: `prod/${name}`,
      props: { readyToUse: true },
    });
    await host.call("delete", created.id, props);
    expect(server.snapshots.size).toBe(0);
    expect(host.output.join("\n")).toMatch(
      new RegExp(`\\[before-upgrade\\] prod/${name}: phase Succeeded; .*readyToUse`),
    );
    const post = server.requests.find((r) => r.method === "POST")!;
    expect(post.query.get("fieldValidation")).toBe("Strict");
    // The create's wait and the delete's share one list-watch of the namespace (kube/shared-streams.ts).
    const watches = server.requests.filter((r) => r.query.get("watch") === "true");
    expect(watches.map((w) => [w.path, w.query.get("fieldSelector")])).toEqual([
      ["/apis/snapshot.kubevirt.io/v1beta1/namespaces/prod/virtualmachinesnapshots", null],
    ]);
    expect(watches[0]!.query.get("resourceVersion")).toMatch(/^\d+$/);
  });

  it("says where it looked when no kubeconfig is configured anywhere", async () => {
    host = await startProviderHost({});
    const check = await host.call("check", undefined, { ...news, __provider: host.providerText });
    const error = await host.fail("create", check.inputs);
    expect(error.message).toMatch(
      /no Kubernetes configuration found\. Looked at: stack config pulumi-kubevirt-snapshot:kubeconfig \(not set\); \$KUBECONFIG \(.*no-kubeconfig: no such file\); .*\.kube\/config \(no such file\); in-cluster service account/,
    );
  });
});
