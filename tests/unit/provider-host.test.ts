/**
 * The provider as Pulumi runs it: serialized like pulumi.dynamic.Resource does, evaluated in a separate
 * Node process from a program directory whose node_modules holds this package, configured with stack
 * config, and driven over HTTP against a small Kubernetes API stand-in (real @kubernetes/client-node).
 * Needs `npm run build` first (npm test does it).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { firstStatus, locked, ready, succeeded } from "../support/kubevirt-script";
import { kubeconfigFor, startMiniApiserver, type MiniApiserver } from "../support/mini-apiserver";

const run = promisify(execFile);
jest.setTimeout(60_000);
const repo = resolve(__dirname, "..", "..");

function programDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "kvsnap-program-"));
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(repo, join(dir, "node_modules", "pulumi-kubevirt-snapshot"), "dir");
  return dir;
}

async function host(cwd: string, plan: unknown): Promise<Record<string, any>> {
  const { stdout } = await run(
    process.execPath,
    [join(repo, "tests/support/provider-host.js"), JSON.stringify(plan)],
    {
      cwd,
      env: { ...process.env, KUBECONFIG: "/nonexistent", HOME: cwd },
    },
  );
  const line = stdout.split("\n").find((l) => l.startsWith("RESULT "));
  return { ...JSON.parse(line!.slice("RESULT ".length)), stdout };
}

describe("the serialized provider in a provider-host process", () => {
  let server: MiniApiserver;
  let cwd: string;
  beforeEach(async () => {
    server = await startMiniApiserver([firstStatus, locked(["GuestAgent", "Online"]), succeeded(), ready]);
    cwd = programDir();
  });
  afterEach(async () => {
    await server.close();
    rmSync(cwd, { recursive: true, force: true });
  });

  it("stays under 1 KB and captures nothing about the cluster", async () => {
    const result = await host(cwd, { config: {}, news: {}, steps: [] });
    expect(result["providerBytes"]).toBeLessThanOrEqual(1024);
    expect(result["text"]).toContain('require("pulumi-kubevirt-snapshot/provider")');
    expect(result["text"]).not.toMatch(/zod|client-node|127\.0\.0\.1|token/);
  });

  it("checks, creates, reads and deletes through the real Kubernetes client with the kubeconfig from stack config", async () => {
    const config = { "pulumi-kubevirt-snapshot:kubeconfig": kubeconfigFor(server.url) };
    const news = {
      namespace: "prod",
      vmName: "db-1",
      resourceName: "before-upgrade",
      owner: "demo/dev/before-upgrade",
    };
    const result = await host(cwd, { config, news, steps: ["check", "create", "read", "delete"] });
    expect(result["checkError"]).toBeUndefined();
    expect(result["createError"]).toBeUndefined();
    expect(result["check"].failures).toEqual([]);
    const name = result["check"].inputs.name as string;
    expect(name).toMatch(/^before-upgrade-[a-z0-9]{7}$/);
    expect(result["create"]).toMatchObject({
      id: `prod/${name}`,
      outs: {
        phase: "Succeeded",
        readyToUse: true,
        indications: ["GuestAgent", "Online"],
        apiVersion: "v1beta1",
      },
    });
    expect(result["read"]).toMatchObject({ id: `prod/${name}`, props: { readyToUse: true } });
    expect(result["delete"]).toBe("ok");
    expect(server.snapshots.size).toBe(0);
    expect(result["stdout"]).toMatch(
      new RegExp(`\\[before-upgrade\\] prod/${name}: phase Succeeded; .*readyToUse`),
    );
    const post = server.requests.find((r) => r.method === "POST")!;
    expect(post.query.get("fieldValidation")).toBe("Strict");
    const watch = server.requests.find((r) => r.query.get("watch") === "true")!;
    expect(watch.query.get("fieldSelector")).toBe(`metadata.name=${name}`);
    expect(watch.query.get("resourceVersion")).toMatch(/^\d+$/);
  });

  it("says where it looked when no kubeconfig is configured anywhere", async () => {
    const news = { namespace: "prod", vmName: "db-1", resourceName: "r", owner: "demo/dev/r" };
    const result = await host(cwd, { config: {}, news, steps: ["check", "create"] });
    expect(result["createError"].message).toMatch(
      /no Kubernetes configuration found\. Looked at: stack config pulumi-kubevirt-snapshot:kubeconfig \(not set\); \$KUBECONFIG \(\/nonexistent: no such file\); .*\.kube\/config \(no such file\); in-cluster service account/,
    );
  });
});
