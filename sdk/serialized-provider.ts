/**
 * The provider object Pulumi serializes into every VMSnapshot's state (`__provider`, stored twice per
 * resource). It captures nothing and holds one real method: Pulumi's provider host always calls
 * `configure()` on a freshly deserialized provider before any other method, and `configure()` installs
 * the implementation, loaded by package name from the host's working directory (this package's peer range
 * starts at @pulumi/pulumi 3.139.0, the first whose Node dynamic-provider host calls configure()). So the state stays a few
 * hundred bytes and fixes to the implementation reach existing stacks.
 * Keep it free of imports, module-level values, zod schemas, clients and `#private` fields.
 */
/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/require-await */
import type * as pulumi from "@pulumi/pulumi";

/** The tiny forwarding provider shared by every VMSnapshot (one instance, so Pulumi serializes it once). */
export const serializedProvider: Omit<pulumi.dynamic.ResourceProvider, "create"> = {
  async configure(req) {
    const impl = require("pulumi-kubevirt-snapshot/provider");
    Object.assign(this, impl.load(impl.settingsFromConfig(req.config)));
  },
};

/** The same for every VMRestore: `configure()` installs the restore implementation. */
export const serializedRestoreProvider: Omit<pulumi.dynamic.ResourceProvider, "create"> = {
  async configure(req) {
    const impl = require("pulumi-kubevirt-snapshot/provider");
    Object.assign(this, impl.loadRestore(impl.settingsFromConfig(req.config)));
  },
};
