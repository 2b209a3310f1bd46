/** The Pulumi id of every resource of this package: `<namespace>/<name>` of the Kubernetes object. */
import { ProviderError } from "./errors";

/** The id of the object `name` in `namespace`. */
export function resourceId(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** The namespace and name an id holds ("" for a part that is missing). */
export function parseResourceId(id: string): { namespace: string; name: string } {
  const [namespace = "", name = ""] = id.split("/");
  return { namespace, name };
}

/**
 * The full id for an id a user may give (`pulumi refresh --import-pending-creates <urn>,<id>`): `<namespace>/<name>`
 * as it is, or a bare `<name>` completed with the namespace the resource's inputs name.
 * @throws ProviderError naming the id and the form expected for anything else (`a/b/c`, `/x`, a bare name
 * with no namespace known).
 */
export function completeResourceId(id: string, namespace: string | undefined): string {
  const parts = id.split("/");
  if (parts.length === 2 && parts.every(Boolean)) return id;
  if (parts.length === 1 && id && namespace) return resourceId(namespace, id);
  throw new ProviderError(
    `the id ${JSON.stringify(id)} is not <namespace>/<name>${parts.length === 1 && id ? " and the inputs name no namespace" : ""}. ` +
      "Fix: give the id as <namespace>/<name>, e.g. pulumi refresh --import-pending-creates '<urn>,prod/before-upgrade-x1y2z3a'.",
  );
}
