// Prints the size of the provider text Pulumi stores in each VMSnapshot's and VMRestore's state, serialized exactly as
// pulumi.dynamic.Resource does it (serializeFunction(() => provider, { allowSecrets: true })).
"use strict";
const { serializeFunction } = require("@pulumi/pulumi/runtime/closure/serializeClosure");
const { serializedProvider, serializedRestoreProvider } = require("../dist/sdk/serialized-provider");

async function measure(label, provider) {
  const { text } = await serializeFunction(() => provider, { allowSecrets: true });
  const bytes = Buffer.byteLength(text, "utf8");
  console.log(`serialized provider bytes (${label}): ${bytes}`);
  if (process.argv.includes("--print")) console.log(text);
  if (bytes > 1024) {
    console.error(`${label}: over the 1024-byte budget by ${bytes - 1024} bytes`);
    process.exitCode = 1;
  }
}

async function main() {
  await measure("VMSnapshot", serializedProvider);
  await measure("VMRestore", serializedRestoreProvider);
}
main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
