/**
 * The provider Pulumi stores in every VMSnapshot's and VMRestore's state (`__provider`, stored twice per
 * resource: in its inputs and its outputs), as the text itself. Pulumi's dynamic-provider host evaluates it with
 * `require-from-string(text).handler()` and always calls `configure()` on the result before any other method
 * (this package's peer range starts at @pulumi/pulumi 3.139.0, the first whose host does); `configure()`
 * installs the implementation, loaded by package name from the host's working directory. So fixes to the
 * implementation reach existing stacks, and the text is about 170 bytes: `pulumi.dynamic.Resource`'s closure
 * serializer wrapped the same two lines in about 630 (that text, in states written before, keeps working: the
 * `load`, `loadRestore` and `settingsFromConfig` exports it calls stay).
 * Keep these texts free of anything but `require` of this package by name.
 */

/** The provider text of a `pulumi-kubevirt-snapshot/provider` entry point (`load` or `loadRestore`). */
function providerText(entry: "load" | "loadRestore"): string {
  return (
    "exports.handler=()=>({async configure(q){" +
    'const i=require("pulumi-kubevirt-snapshot/provider");' +
    `Object.assign(this,i.${entry}(i.settingsFromConfig(q.config)))}})`
  );
}

/** The `__provider` of every VMSnapshot: `configure()` installs the snapshot implementation. */
export const SNAPSHOT_PROVIDER_TEXT = providerText("load");

/** The `__provider` of every VMRestore: `configure()` installs the restore implementation. */
export const RESTORE_PROVIDER_TEXT = providerText("loadRestore");
