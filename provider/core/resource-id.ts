/** The Pulumi id of every resource of this package: `<namespace>/<name>` of the Kubernetes object. */

/** The id of the object `name` in `namespace`. */
export function resourceId(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** The namespace and name an id holds ("" for a part that is missing). */
export function parseResourceId(id: string): { namespace: string; name: string } {
  const [namespace = "", name = ""] = id.split("/");
  return { namespace, name };
}
