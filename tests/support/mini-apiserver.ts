/**
 * A tiny HTTP server speaking just enough of the Kubernetes API (discovery, get, create, list, watch,
 * delete) for the client-node edge of the provider, with KubeVirt's status changes scripted on create.
 * Used by the provider-host round-trip test; the real apiserver comes with the integration tests.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { VirtualMachineSnapshot } from "../../provider/kube/types";

type Json = Record<string, unknown>;

/** A recorded request. */
export interface SeenRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  contentType: string;
}

/** The server, its URL and what it saw. */
export interface MiniApiserver {
  url: string;
  requests: SeenRequest[];
  snapshots: Map<string, VirtualMachineSnapshot>;
  close(): Promise<void>;
}

const SNAP_PREFIX = "/apis/snapshot.kubevirt.io/";

function status(res: ServerResponse, code: number, reason: string, message: string): void {
  res.writeHead(code, { "content-type": "application/json" });
  res.end(JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", code, reason, message }));
}

function send(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<Json> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Json;
}

/** Starts the server with one VM `prod/db-1` (running, agent connected) and KubeVirt's happy timeline. */
export async function startMiniApiserver(
  steps: ((s: VirtualMachineSnapshot) => void)[],
): Promise<MiniApiserver> {
  const snapshots = new Map<string, VirtualMachineSnapshot>();
  const watchers = new Set<ServerResponse>();
  const requests: SeenRequest[] = [];
  let rv = 1000;
  const emit = (type: string, object: VirtualMachineSnapshot): void => {
    for (const w of watchers) w.write(`${JSON.stringify({ type, object })}\n`);
  };
  const vm = {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachine",
    metadata: { namespace: "prod", name: "db-1", uid: "vm-uid" },
    spec: { template: { spec: { volumes: [{ name: "rootdisk" }] } } },
    status: { volumeSnapshotStatuses: [{ name: "rootdisk", enabled: true }] },
  };
  const vmi = {
    metadata: { namespace: "prod", name: "db-1" },
    status: { phase: "Running", conditions: [{ type: "AgentConnected", status: "True" }] },
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://x");
    requests.push({
      method: req.method ?? "",
      path: url.pathname,
      query: url.searchParams,
      contentType: req.headers["content-type"] ?? "",
    });
    if (url.pathname === "/apis") {
      return send(res, 200, {
        kind: "APIGroupList",
        groups: [
          {
            name: "snapshot.kubevirt.io",
            versions: [
              { groupVersion: "snapshot.kubevirt.io/v1beta1", version: "v1beta1" },
              { groupVersion: "snapshot.kubevirt.io/v1alpha1", version: "v1alpha1" },
            ],
          },
        ],
      });
    }
    if (url.pathname === "/apis/kubevirt.io/v1/namespaces/prod/virtualmachines/db-1")
      return send(res, 200, vm);
    if (url.pathname === "/apis/kubevirt.io/v1/namespaces/prod/virtualmachineinstances/db-1")
      return send(res, 200, vmi);
    if (!url.pathname.startsWith(SNAP_PREFIX))
      return status(res, 404, "NotFound", `${url.pathname} not found`);
    // /apis/snapshot.kubevirt.io/<version>/namespaces/<namespace>/virtualmachinesnapshots[/<name>]
    const [, , , namespace = "", , name] = url.pathname.slice(SNAP_PREFIX.length - 1).split("/");
    if (req.method === "POST") {
      const body = (await readBody(req)) as unknown as VirtualMachineSnapshot;
      const key = `${namespace}/${body.metadata.name ?? ""}`;
      if (snapshots.has(key)) return status(res, 409, "AlreadyExists", "already exists");
      body.metadata = {
        ...body.metadata,
        uid: "snap-uid",
        resourceVersion: String(++rv),
        creationTimestamp: new Date().toISOString(),
      };
      snapshots.set(key, body);
      emit("ADDED", body);
      steps.forEach((step, i) =>
        setTimeout(
          () => {
            step(body);
            body.metadata.resourceVersion = String(++rv);
            emit("MODIFIED", body);
          },
          20 * (i + 1),
        ),
      );
      return send(res, 201, body);
    }
    if (req.method === "DELETE" && name) {
      const s = snapshots.get(`${namespace}/${name}`);
      if (!s) return status(res, 404, "NotFound", `virtualmachinesnapshots "${name}" not found`);
      snapshots.delete(`${namespace}/${name}`);
      s.metadata.resourceVersion = String(++rv);
      emit("DELETED", s);
      return send(res, 200, s);
    }
    if (name) {
      const s = snapshots.get(`${namespace}/${name}`);
      return s
        ? send(res, 200, s)
        : status(res, 404, "NotFound", `virtualmachinesnapshots "${name}" not found`);
    }
    if (url.searchParams.get("watch") === "true") {
      res.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked" });
      watchers.add(res);
      req.on("close", () => watchers.delete(res));
      return;
    }
    const byName = url.searchParams.get("fieldSelector")?.replace("metadata.name=", "");
    const byLabels = (url.searchParams.get("labelSelector") ?? "").split(",").filter(Boolean);
    const items = [...snapshots.values()].filter(
      (s) =>
        s.metadata.namespace === namespace &&
        (byName === undefined || s.metadata.name === byName) &&
        byLabels.every((term) => {
          const [key = "", value] = term.split("=");
          return s.metadata.labels?.[key] === value;
        }),
    );
    return send(res, 200, {
      kind: "VirtualMachineSnapshotList",
      metadata: { resourceVersion: String(rv) },
      items,
    });
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => status(res, 500, "InternalError", String(e)));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    snapshots,
    close: () =>
      new Promise<void>((resolve) => {
        for (const w of watchers) w.end();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A kubeconfig for the mini server. */
export function kubeconfigFor(url: string): string {
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    `- name: mini\n  cluster:\n    server: ${url}\n    insecure-skip-tls-verify: true`,
    "users:",
    "- name: tester\n  user:\n    token: secret-token",
    "contexts:",
    "- name: mini\n  context:\n    cluster: mini\n    user: tester",
    "current-context: mini",
    "",
  ].join("\n");
}
