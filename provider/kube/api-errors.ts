/** Turns client-node failures into `KubeApiError`s whose message names the verb, the resource and the fix. */
import { KubeApiError, ProviderError, UnreachableError } from "../core/errors";

/** What was being attempted, for messages ("create virtualmachinesnapshots.snapshot.kubevirt.io in ns"). */
export interface ApiAction {
  verb: string;
  resource: string;
  namespace: string;
  name?: string;
}

interface StatusBody {
  reason?: string;
  message?: string;
}

function parseBody(body: unknown): StatusBody {
  if (typeof body === "string") {
    try {
      return JSON.parse(body) as StatusBody;
    } catch {
      return { message: body };
    }
  }
  return typeof body === "object" && body !== null ? body : {};
}

/** Describes an action as "create virtualmachinesnapshots.snapshot.kubevirt.io "x" in namespace "ns"". */
export function describeAction(action: ApiAction): string {
  const where = action.namespace ? ` in namespace "${action.namespace}"` : "";
  return `${action.verb} ${action.resource}${action.name ? ` "${action.name}"` : ""}${where}`;
}

/** Converts an error thrown by client-node (ApiException, watch error, network error) for `action`. */
export function toKubeApiError(error: unknown, action: ApiAction, server: string): ProviderError {
  const e = error as {
    code?: unknown;
    statusCode?: unknown;
    body?: unknown;
    message?: unknown;
    cause?: unknown;
  };
  const code = typeof e.code === "number" ? e.code : typeof e.statusCode === "number" ? e.statusCode : 0;
  if (code === 0) {
    const cause = (e.cause as { message?: string } | undefined)?.message ?? "";
    return new UnreachableError(
      `cannot reach the Kubernetes API at ${server} to ${describeAction(action)}: ${typeof e.message === "string" ? e.message : String(error)}` +
        `${cause ? ` (${cause})` : ""}. Fix: check the kubeconfig's server address and that the cluster is up.`,
    );
  }
  const body = parseBody(e.body);
  const serverMessage = body.message ?? (typeof e.message === "string" ? e.message : "");
  const hint =
    code === 403
      ? ` Fix: grant the verb "${action.verb}" on ${action.resource} to this user (see rbac/vmsnapshot-role.yaml).`
      : code === 401
        ? " Fix: the credentials in the kubeconfig were rejected; refresh the token or certificate."
        : "";
  return new KubeApiError(
    `cannot ${describeAction(action)}: HTTP ${code}${body.reason ? ` ${body.reason}` : ""}: ${serverMessage}.${hint}`,
    code,
    body.reason ?? "",
    serverMessage,
  );
}

/** A request refused by a validating admission webhook: the webhook's name and its own message. */
export interface AdmissionDenial {
  webhook: string;
  message: string;
}

/**
 * Reads the apiserver's wording of a webhook denial, `admission webhook "<name>" denied the request: <msg>`,
 * from a `KubeApiError`'s server message; `undefined` for anything else.
 */
export function admissionDenial(serverMessage: string): AdmissionDenial | undefined {
  const match = /admission webhook "([^"]+)" denied the request: ([\s\S]*)$/.exec(serverMessage);
  return match ? { webhook: match[1] ?? "", message: match[2] ?? "" } : undefined;
}
