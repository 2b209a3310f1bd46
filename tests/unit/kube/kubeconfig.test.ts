import {
  chooseKubeconfigSource,
  IN_CLUSTER_TOKEN,
  looksLikeKubeconfigText,
} from "../../../provider/kube/kubeconfig";
import { selectContext } from "../../../provider/kube/connect";
import { toKubeApiError } from "../../../provider/kube/api-errors";
import { KubeApiError } from "../../../provider/core/errors";

const env = (files: string[], vars: Record<string, string> = {}, configKubeconfig?: string) => ({
  configKubeconfig,
  env: vars,
  homedir: "/home/u",
  exists: (p: string) => files.includes(p),
});

describe("chooseKubeconfigSource", () => {
  it("prefers stack config contents", () => {
    expect(
      chooseKubeconfigSource(env([], { KUBECONFIG: "/k" }, "apiVersion: v1\nkind: Config\n")),
    ).toMatchObject({ kind: "inline", origin: "stack config pulumi-kubevirt-snapshot:kubeconfig" });
  });
  it("accepts a path in stack config, and names a missing one", () => {
    expect(chooseKubeconfigSource(env(["/cfg"], {}, "/cfg"))).toEqual({
      kind: "files",
      paths: ["/cfg"],
      origin: "stack config pulumi-kubevirt-snapshot:kubeconfig",
    });
    expect(() => chooseKubeconfigSource(env([], {}, "/missing"))).toThrow(
      /names the file "\/missing", which does not exist/,
    );
  });
  it("then uses the existing files of $KUBECONFIG, then ~/.kube/config, then in-cluster", () => {
    expect(chooseKubeconfigSource(env(["/b"], { KUBECONFIG: "/a:/b" }))).toEqual({
      kind: "files",
      paths: ["/b"],
      origin: "$KUBECONFIG",
    });
    expect(chooseKubeconfigSource(env(["/home/u/.kube/config"]))).toMatchObject({
      kind: "files",
      paths: ["/home/u/.kube/config"],
    });
    expect(
      chooseKubeconfigSource(env([IN_CLUSTER_TOKEN], { KUBERNETES_SERVICE_HOST: "10.0.0.1" })),
    ).toMatchObject({ kind: "in-cluster" });
  });
  it("never falls back to localhost:8080: it says where it looked", () => {
    expect(() => chooseKubeconfigSource(env([], { KUBECONFIG: "/x" }))).toThrow(
      "no Kubernetes configuration found. Looked at: stack config pulumi-kubevirt-snapshot:kubeconfig (not set); $KUBECONFIG (/x: no such file); /home/u/.kube/config (no such file); in-cluster service account (KUBERNETES_SERVICE_HOST not set).",
    );
  });
  it.each([
    ["apiVersion: v1", true],
    ['{"apiVersion":"v1"}', true],
    ["/etc/kube/config", false],
    ["C:\\kube\\config", false],
  ])("looksLikeKubeconfigText(%j) = %s", (v, ok) => expect(looksLikeKubeconfigText(v)).toBe(ok));
});

describe("selectContext", () => {
  const kc = (current: string) => {
    const state = { current };
    return {
      state,
      getContexts: () => [{ name: "a" }, { name: "b" }] as never,
      getContextObject: (n: string) => (["a", "b"].includes(n) ? ({ name: n } as never) : null),
      setCurrentContext: (n: string) => void (state.current = n),
      getCurrentContext: () => state.current,
    };
  };
  it("switches to a known context", () => {
    const k = kc("a");
    selectContext(k, "b", "x");
    expect(k.state.current).toBe("b");
  });
  it("lists the known contexts for an unknown one", () => {
    expect(() => selectContext(kc("a"), "c", "$KUBECONFIG")).toThrow(
      'kubeconfig context "c" not found in $KUBECONFIG; it has: a, b.',
    );
  });
  it("needs a current context when none is chosen", () => {
    expect(() => selectContext(kc(""), undefined, "x")).toThrow(/has no current-context/);
  });
});

describe("toKubeApiError", () => {
  const action = {
    verb: "watch",
    resource: "virtualmachinesnapshots.snapshot.kubevirt.io",
    namespace: "prod",
  };
  it("names the verb, the resource and the RBAC fix for 403", () => {
    const body = JSON.stringify({
      reason: "Forbidden",
      message: 'virtualmachinesnapshots.snapshot.kubevirt.io is forbidden: User "dev" cannot watch resource',
    });
    const e = toKubeApiError({ code: 403, body }, action, "https://k");
    expect(e).toBeInstanceOf(KubeApiError);
    expect(e.message).toMatch(
      /^cannot watch virtualmachinesnapshots\.snapshot\.kubevirt\.io in namespace "prod": HTTP 403 Forbidden: .*cannot watch resource\. Fix: grant the verb "watch" .*rbac\/vmsnapshot-role\.yaml/,
    );
  });
  it("reads the status code of watch errors and treats a missing one as unreachable", () => {
    expect(toKubeApiError({ statusCode: 410, message: "Gone" }, action, "https://k")).toMatchObject({
      code: 410,
    });
    expect(toKubeApiError(new Error("connect ECONNREFUSED"), action, "https://k:6443").message).toMatch(
      /cannot reach the Kubernetes API at https:\/\/k:6443 to watch/,
    );
  });
});
