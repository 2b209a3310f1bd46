/** The property bag both resource classes hand to `pulumi.dynamic.Resource`. */
import * as pulumi from "@pulumi/pulumi";

/**
 * The user's inputs, plus what the provider cannot learn itself (the resource name and the owner marker
 * `<project>/<stack>/<name>`), plus every status output seeded as `undefined` so Pulumi registers it.
 */
export function resourceProps(
  name: string,
  inputs: Record<string, unknown>,
  statusOutputs: readonly string[],
): Record<string, unknown> {
  const props: Record<string, unknown> = {
    ...inputs,
    resourceName: name,
    owner: `${pulumi.getProject()}/${pulumi.getStack()}/${name}`,
  };
  for (const key of statusOutputs) props[key] = undefined;
  return props;
}

/** Wraps every field (and list item / map value) of a plain input type in `pulumi.Input`. */
export type Inputify<T> = {
  [K in keyof T]: NonNullable<T[K]> extends (infer E)[]
    ? pulumi.Input<pulumi.Input<E>[]>
    : NonNullable<T[K]> extends Record<string, string>
      ? pulumi.Input<Record<string, pulumi.Input<string>>>
      : pulumi.Input<T[K]>;
};
