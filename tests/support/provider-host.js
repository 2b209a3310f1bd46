// Plays Pulumi's Node dynamic-provider host in a separate process: serializes the provider exactly as
// pulumi.dynamic.Resource does, evaluates the text with require-from-string from the program directory
// (the current working directory), calls configure() with the stack config, then runs the requested
// provider methods and prints their results as JSON. Used by tests/unit/provider-host.test.ts.
"use strict";
const path = require("node:path");
const repo = path.resolve(__dirname, "..", "..");
const requireFromRepo = (m) => require(require.resolve(m, { paths: [repo] }));

async function main() {
  const { serializeFunction } = requireFromRepo("@pulumi/pulumi/runtime/closure/serializeClosure");
  const { Config } = requireFromRepo("@pulumi/pulumi/cmd/dynamic-provider/config");
  const requireFromString = requireFromRepo("require-from-string");
  const { serializedProvider } = require(path.join(repo, "dist/sdk/serialized-provider.js"));
  const plan = JSON.parse(process.argv[2]);

  const { text } = await serializeFunction(() => serializedProvider, { allowSecrets: true });
  const provider = requireFromString(text).handler();
  if (provider.configure) await provider.configure({ config: new Config(plan.config, "demo") });
  const results = { providerBytes: Buffer.byteLength(text), text };
  let inputs;
  for (const step of plan.steps) {
    try {
      if (step === "check")
        results.check = await provider.check(undefined, { ...plan.news, __provider: text });
      if (step === "create") {
        inputs = { ...results.check.inputs, __provider: text };
        results.create = await provider.create(inputs);
      }
      if (step === "read")
        results.read = await provider.read(results.create.id, { ...results.create.outs, __provider: text });
      if (step === "delete")
        results.delete =
          (await provider.delete(results.create.id, { ...results.create.outs, __provider: text })) ?? "ok";
    } catch (e) {
      results[`${step}Error`] = { message: e.message, id: e.id, reasons: e.reasons };
    }
  }
  process.stdout.write(`\nRESULT ${JSON.stringify(results)}\n`);
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
