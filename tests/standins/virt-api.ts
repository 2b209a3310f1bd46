/**
 * Stand-in for virt-api's `subresources.kubevirt.io/v1` (the guest agent's side of the snapshot contract):
 * `freeze`, `unfreeze` and the VM's `stop`, the three calls KubeVirt's snapshot and restore controllers make
 * outside themselves. Served over TLS behind an APIService, as virt-api is; the guest's answers come from the
 * VM's scenario (agent, SELinux-style freeze denial, the Windows VSS thaw limit). Errors are Status objects as
 * virt-api writes them (pkg/virt-api/rest: `Internal error occurred: …` for what the guest reported, a
 * Conflict when the VMI is not running).
 */
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { isConflictOrGone, Kube, VM, VMI, type Obj } from "./kube";
import { scenarioOf } from "./scenario";

const GROUP_VERSION = "subresources.kubevirt.io/v1";
const PREFIX = `/apis/${GROUP_VERSION}/namespaces/`;

/** What a subresource call answered: an HTTP status and, for errors, the message. */
export interface Answer {
  code: number;
  message?: string;
}

const ok: Answer = { code: 200 };
const internal = (message: string): Answer => ({ code: 500, message: `Internal error occurred: ${message}` });

/** Parses a Go duration such as "5m0s" or "1h2m3.5s" to milliseconds (0 when unreadable). */
export function goDurationMs(text: string | undefined): number {
  const units: Record<string, number> = {
    h: 3_600_000,
    m: 60_000,
    s: 1000,
    ms: 1,
    us: 0.001,
    µs: 0.001,
    ns: 1e-6,
  };
  let total = 0;
  for (const [, n, unit] of (text ?? "").matchAll(/([\d.]+)(ms|us|µs|ns|h|m|s)/g))
    total += Number(n) * (units[unit ?? ""] ?? 0);
  return total;
}

/** The guest side: freezes, thaws (with the scenario's failures) and the safety thaw after unfreezeTimeout. */
export class Guests {
  private readonly safetyThaws = new Map<string, NodeJS.Timeout>();
  private readonly thawFailed = new Set<string>();
  private readonly freezesFailed = new Map<string, number>();

  constructor(private readonly kube: Kube) {}

  /** The VMI and VM when the VMI runs; else virt-api's 404, or its 409 with `notRunning` ("VM is not running" for freeze). */
  private async running(
    ns: string,
    name: string,
    notRunning: string,
  ): Promise<{ vmi?: Obj; vm?: Obj; answer?: Answer }> {
    const vmi = await this.kube.get(VMI, ns, name);
    if (!vmi)
      return { answer: { code: 404, message: `virtualmachineinstance.kubevirt.io "${name}" not found` } };
    if (vmi.status?.phase !== "Running")
      return {
        answer: {
          code: 409,
          message: `Operation cannot be fulfilled on virtualmachineinstance.kubevirt.io "${name}": ${notRunning}`,
        },
      };
    return { vmi, vm: await this.kube.get(VM, ns, name) };
  }

  private async setFrozen(ns: string, name: string, frozen: boolean): Promise<void> {
    await this.kube
      .patch(VMI, ns, name, { status: { fsFreezeStatus: frozen ? "frozen" : null } })
      .catch((e: unknown) => {
        if (!isConflictOrGone(e)) throw e;
      });
  }

  /** `PUT …/virtualmachineinstances/<name>/freeze` with `{"unfreezeTimeout": "<Go duration>"}`. */
  async freeze(ns: string, name: string, unfreezeTimeout: string | undefined): Promise<Answer> {
    const { vm, answer } = await this.running(ns, name, "VM is not running");
    if (answer) return answer;
    const scenario = scenarioOf(vm?.metadata.annotations);
    if (scenario.agent === "disconnected") return internal("Guest agent is not connected");
    const key = `${ns}/${name}`;
    const failed = this.freezesFailed.get(key) ?? 0;
    if (scenario.freezeError && (scenario.freezeFailures === undefined || failed < scenario.freezeFailures)) {
      this.freezesFailed.set(key, failed + 1);
      return internal(scenario.freezeError);
    }
    await this.setFrozen(ns, name, true);
    this.thawFailed.delete(key);
    clearTimeout(this.safetyThaws.get(key));
    const ms = goDurationMs(unfreezeTimeout);
    if (ms > 0)
      this.safetyThaws.set(
        key,
        setTimeout(() => void this.setFrozen(ns, name, false).catch(() => undefined), ms),
      );
    return ok;
  }

  /** `PUT …/virtualmachineinstances/<name>/unfreeze`: the scenario's thaw error once after each freeze. */
  async unfreeze(ns: string, name: string): Promise<Answer> {
    const { vm, answer } = await this.running(ns, name, "VMI is not running");
    if (answer) return answer;
    const key = `${ns}/${name}`;
    clearTimeout(this.safetyThaws.get(key));
    await this.setFrozen(ns, name, false);
    const scenario = scenarioOf(vm?.metadata.annotations);
    if (scenario.thawError && !this.thawFailed.has(key)) {
      this.thawFailed.add(key);
      return internal(scenario.thawError);
    }
    return ok;
  }

  /** `PUT …/virtualmachines/<name>/stop`: sets the run strategy to Halted (or `running: false`), as virt-api does. */
  async stop(ns: string, name: string): Promise<Answer> {
    const vm = await this.kube.get(VM, ns, name);
    if (!vm) return { code: 404, message: `virtualmachine.kubevirt.io "${name}" not found` };
    const spec = vm.spec?.runStrategy !== undefined ? { runStrategy: "Halted" } : { running: false };
    if (vm.spec?.runStrategy === "Halted" && !(await this.kube.get(VMI, ns, name)))
      return { code: 409, message: "VM is not running" };
    await this.kube.patch(VM, ns, name, { spec });
    return ok;
  }

  /** Ends every pending safety thaw. */
  close(): void {
    for (const timer of this.safetyThaws.values()) clearTimeout(timer);
  }
}

const resources = [
  { name: "virtualmachineinstances/freeze", namespaced: true, kind: "", verbs: ["update"] },
  { name: "virtualmachineinstances/unfreeze", namespaced: true, kind: "", verbs: ["update"] },
  { name: "virtualmachines/stop", namespaced: true, kind: "", verbs: ["update"] },
];

function send(res: ServerResponse, answer: Answer): void {
  res.writeHead(answer.code, { "Content-Type": "application/json" });
  if (answer.code === 200) return void res.end("{}");
  const reason = { 404: "NotFound", 409: "Conflict", 500: "InternalError" }[answer.code] ?? "Unknown";
  res.end(
    JSON.stringify({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: answer.message,
      reason,
      code: answer.code,
    }),
  );
}

async function body(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = "";
  for await (const chunk of req) text += String(chunk);
  try {
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Routes one request to the guests. */
async function route(guests: Guests, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? "").split("?")[0] ?? "";
  if (req.method === "GET" && path === `/apis/${GROUP_VERSION}`) {
    res.writeHead(200, { "Content-Type": "application/json" });
    return void res.end(
      JSON.stringify({ kind: "APIResourceList", apiVersion: "v1", groupVersion: GROUP_VERSION, resources }),
    );
  }
  const parts = path.startsWith(PREFIX) ? path.slice(PREFIX.length).split("/") : [];
  const [ns = "", plural, name = "", verb] = parts;
  if (req.method !== "PUT" || parts.length !== 4)
    return send(res, { code: 404, message: `no route for ${req.method ?? ""} ${path}` });
  if (plural === "virtualmachineinstances" && verb === "freeze")
    return send(
      res,
      await guests.freeze(ns, name, (await body(req))["unfreezeTimeout"] as string | undefined),
    );
  if (plural === "virtualmachineinstances" && verb === "unfreeze")
    return send(res, await guests.unfreeze(ns, name));
  if (plural === "virtualmachines" && verb === "stop") return send(res, await guests.stop(ns, name));
  return send(res, { code: 404, message: `no route for PUT ${path}` });
}

/** Starts the TLS server on a loopback port with the certificate kvsnap-kubevirt wrote to `certDir`. */
export async function serveVirtApi(
  guests: Guests,
  certDir: string,
  log: (line: string) => void,
): Promise<{ server: Server; port: number }> {
  const server = createServer(
    { cert: readFileSync(join(certDir, "tls.crt")), key: readFileSync(join(certDir, "tls.key")) },
    (req, res) => {
      route(guests, req, res).catch((e: unknown) => {
        log(`virt-api ${req.method ?? ""} ${req.url ?? ""}: ${(e as Error).message}`);
        send(res, internal((e as Error).message));
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return { server, port: typeof address === "object" && address ? address.port : 0 };
}

/** Registers the stand-in as `v1.subresources.kubevirt.io` (a Service of type ExternalName to 127.0.0.1). */
export async function registerApiService(kube: Kube, port: number): Promise<void> {
  const namespace = "kubevirt";
  const service = {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "virt-api", namespace },
    spec: {
      type: "ExternalName",
      externalName: "127.0.0.1",
      ports: [{ name: "https", port, protocol: "TCP" }],
    },
  };
  const apiService = {
    apiVersion: "apiregistration.k8s.io/v1",
    kind: "APIService",
    metadata: { name: "v1.subresources.kubevirt.io" },
    spec: {
      group: "subresources.kubevirt.io",
      version: "v1",
      service: { name: "virt-api", namespace, port },
      insecureSkipTLSVerify: true,
      groupPriorityMinimum: 1000,
      versionPriority: 15,
    },
  };
  const objects = kube.lib.KubernetesObjectApi.makeApiClient(kube.kc);
  for (const object of [service, apiService]) {
    await objects.delete(object as never).catch(() => undefined);
    await objects.create(object as never);
  }
}
