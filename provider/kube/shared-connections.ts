/**
 * One connection pool per kubeconfig. client-node 2.x builds a new undici `Agent` from the TLS options on every
 * API call (`KubeConfig.applySecurityAuthentication` makes the request's dispatcher each time), so every GET,
 * PATCH or watch opened its own TCP + TLS connection, and the connection lingered for undici's keep-alive time
 * after it. Measured on the ground: 50 sequential requests made 50 connections (1 with this), and a create's
 * last write paid a TLS handshake between seeing its snapshot ready and answering Pulumi.
 *
 * The credentials are still applied on every call (a token from an exec plugin or a refreshed OIDC token goes
 * into that request's headers); only the dispatcher of the first call is kept and handed to every later call of
 * the same KubeConfig, which is one cluster and one user, as client-node 1.x's own agent cache was. A client
 * certificate an exec plugin rotates is therefore picked up by the next provider host (the next `pulumi`
 * command), not mid-run.
 */
import type * as k8s from "@kubernetes/client-node" with { "resolution-mode": "import" };

/** The part of a request context this needs. */
export type DispatchedContext = Pick<k8s.RequestContext, "getDispatcher" | "setDispatcher">;

/** The part of a KubeConfig this changes. */
export interface CredentialApplier {
  applySecurityAuthentication(context: DispatchedContext): Promise<void>;
}

/**
 * Makes every API call and watch of `kc` use the connection pool of its first call. Changes `kc` in place
 * (client-node's API clients and `Watch` call `kc.applySecurityAuthentication` on the instance they were
 * given) and returns it.
 */
export function sharingConnections<K extends CredentialApplier>(kc: K): K {
  const applyCredentials = kc.applySecurityAuthentication.bind(kc);
  let shared: ReturnType<DispatchedContext["getDispatcher"]>;
  kc.applySecurityAuthentication = async (context: DispatchedContext): Promise<void> => {
    await applyCredentials(context);
    // A plain-http cluster gets no dispatcher (undici's global pool serves it): nothing to share then.
    shared ??= context.getDispatcher();
    if (shared) context.setDispatcher(shared);
  };
  return kc;
}
