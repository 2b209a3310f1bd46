/**
 * The provider's error family. Errors are recognised by a brand, never `instanceof`: the provider runs
 * re-hydrated in Pulumi's provider host, where classes may come from another copy of this module.
 */

const BRAND = "pulumi-kubevirt-snapshot.error";

/** Base of every error this provider raises on purpose; its message is written for the user. */
export class ProviderError extends Error {
  /** Brand checked by {@link isProviderError}. */
  readonly brand = BRAND;
  override name = "ProviderError";
}

/** Whether `e` is one of this provider's own errors (from any copy of the module). */
export function isProviderError(e: unknown): e is ProviderError {
  return typeof e === "object" && e !== null && (e as { brand?: unknown }).brand === BRAND;
}

/**
 * The API server gave no HTTP answer (connection refused, reset or closed before the response): whether the
 * request took effect is unknown, so only a request that may be repeated (a delete) is retried on it.
 */
export class UnreachableError extends ProviderError {
  override name = "UnreachableError";
}

/** Whether `e` says the API server was not reached (from any copy of the module). */
export function isUnreachable(e: unknown): boolean {
  return isProviderError(e) && (e as Error).name === "UnreachableError";
}

/** An error from the Kubernetes API, with the HTTP status and the Status reason the server gave. */
export class KubeApiError extends ProviderError {
  override name = "KubeApiError";
  constructor(
    message: string,
    /** HTTP status code (0 when the server was not reached). */
    readonly code: number,
    /** The `Status.reason` of the response ("NotFound", "AlreadyExists", "Forbidden", …), "" if none. */
    readonly reason: string,
    /** The server's own message. */
    readonly serverMessage: string,
  ) {
    super(message);
  }
}

/** Whether `e` is a Kubernetes API error with the given HTTP status. */
export function hasStatus(e: unknown, code: number): boolean {
  return isProviderError(e) && (e as Partial<KubeApiError>).code === code;
}

/**
 * A create that made the object but did not finish: Pulumi's partial-failure shape. The Node provider host
 * turns `{id, properties, reasons}` into `ErrorResourceInitFailed`, so the engine keeps the object in state
 * with an init error instead of orphaning it.
 */
export class PartialFailureError extends ProviderError {
  override name = "PartialFailureError";
  constructor(
    message: string,
    /** The resource id (`<namespace>/<name>`). */
    readonly id: string,
    /** Outputs to store, including `__provider` so later operations can run. */
    readonly properties: Record<string, unknown>,
    /** Reasons recorded as the resource's init errors. */
    readonly reasons: string[],
  ) {
    super(message);
  }
}

/** The local wait bound passed before KubeVirt reached a verdict. */
export class WaitTimeoutError extends ProviderError {
  override name = "WaitTimeoutError";
}
