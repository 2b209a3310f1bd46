/**
 * The base of VMSnapshot and VMRestore: a Pulumi dynamic resource (type `pulumi-nodejs:dynamic/<module>:<type>`,
 * served by Pulumi's Node dynamic-provider host) whose `__provider` is this package's short provider text
 * (serialized-provider.ts) rather than a closure serialized per program. It is what `pulumi.dynamic.Resource`
 * registers, with the same type token, so stacks created with either keep their URNs.
 */
import * as pulumi from "@pulumi/pulumi";

/** The dynamic-resource module of this package's type tokens. */
export const DYNAMIC_MODULE = "kubevirt-snapshot";

/** A dynamic resource of `type` whose provider is `providerText`. */
export abstract class DynamicResource extends pulumi.CustomResource {
  /**
   * Registers the resource.
   * @param type `VMSnapshot` or `VMRestore`.
   * @param providerText The provider's text (serialized-provider.ts), stored as `__provider`.
   * @param name The Pulumi resource name.
   * @param props The inputs, and the outputs seeded as `undefined`.
   * @param opts Pulumi resource options.
   */
  protected constructor(
    type: string,
    providerText: string,
    name: string,
    props: pulumi.Inputs,
    opts?: pulumi.CustomResourceOptions,
  ) {
    super(
      `pulumi-nodejs:dynamic/${DYNAMIC_MODULE}:${type}`,
      name,
      { ...props, __provider: providerText },
      opts,
    );
  }
}
