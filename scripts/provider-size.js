// Prints the size of the provider text Pulumi stores in each VMSnapshot's state, serialized exactly as
// pulumi.dynamic.Resource does it (serializeFunction(() => provider, { allowSecrets: true })).
"use strict";
const { serializeFunction } = require("@pulumi/pulumi/runtime/closure/serializeClosure");
const { serializedProvider } = require("../dist/sdk/serialized-provider");

async function main() {
  const { text } = await serializeFunction(() => serializedProvider, { allowSecrets: true });
  const bytes = Buffer.byteLength(text, "utf8");
  console.log(`serialized provider bytes: ${bytes}`);
  if (process.argv.includes("--print")) console.log(text);
  if (bytes > 1024) {
    console.error(`over the 1024-byte budget by ${bytes - 1024} bytes`);
    process.exitCode = 1;
  }
}
main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
