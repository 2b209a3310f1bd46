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
 * @throws ProviderError naming the id and the form expected when the namespace is unknown.
 */
export function completeResourceId(id: string, namespace: string | undefined): string {
  if (id.includes("/")) return id;
  if (namespace && id) return resourceId(namespace, id);
  throw new ProviderError(
    `the id ${JSON.stringify(id)} is not <namespace>/<name> and the inputs name no namespace. Fix: give the ` +
      "id as <namespace>/<name>, e.g. pulumi refresh --import-pending-creates '<urn>,prod/before-upgrade-x1y2z3a'.",
  );
}
