// Prints the size of the provider text stored in each VMSnapshot's and VMRestore's state (`__provider`, in its
// inputs and its outputs), and runs it as Pulumi's dynamic-provider host does (require-from-string, handler()) to
// check it yields a provider with configure().
"use strict";
const requireFromString = require("require-from-string");
const { SNAPSHOT_PROVIDER_TEXT, RESTORE_PROVIDER_TEXT } = require("../dist/sdk/serialized-provider");

function measure(label, text) {
  const bytes = Buffer.byteLength(text, "utf8");
  console.log(`provider text bytes (${label}): ${bytes}`);
  if (process.argv.includes("--print")) console.log(text);
  if (typeof requireFromString(text).handler().configure !== "function") {
    console.error(`${label}: the text does not yield a provider with configure()`);
    process.exitCode = 1;
  }
  if (bytes > 256) {
    console.error(`${label}: over the 256-byte budget by ${bytes - 256} bytes`);
    process.exitCode = 1;
  }
}

measure("VMSnapshot", SNAPSHOT_PROVIDER_TEXT);
measure("VMRestore", RESTORE_PROVIDER_TEXT);
