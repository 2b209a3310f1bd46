// A long-lived stand-in for Pulumi's Node dynamic-provider host: takes the provider text the SDK stores in
// `__provider` (sdk/serialized-provider.ts), evaluates it with require-from-string from the program directory
// (the working directory), calls configure() with the stack config, then serves calls. Requests are JSON
// lines on stdin ({id, method, args}); answers are JSON lines on fd 3; the provider's console output stays
// on stdout/stderr, as in the real host.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const readline = require("node:readline");
const repo = path.resolve(__dirname, "..", "..");
const fromRepo = (m) => require(require.resolve(m, { paths: [repo] }));

async function main() {
  const { Config } = fromRepo("@pulumi/pulumi/cmd/dynamic-provider/config");
  const requireFromString = fromRepo("require-from-string");
  // argv[3] picks the provider text the SDK stores: serializedProvider (VMSnapshot) or serializedRestoreProvider.
  const texts = require(path.join(repo, "dist/sdk/serialized-provider.js"));
  const text =
    process.argv[3] === "serializedRestoreProvider"
      ? texts.RESTORE_PROVIDER_TEXT
      : texts.SNAPSHOT_PROVIDER_TEXT;
  const config = JSON.parse(process.argv[2] || "{}");
  const providers = new Map();
  const providerFor = async (props) => {
    const code = (props && props.__provider) || text;
    if (!providers.has(code)) {
      const provider = requireFromString(code).handler();
      if (provider.configure) await provider.configure({ config: new Config(config, "itest") });
      providers.set(code, provider);
    }
    return providers.get(code);
  };
  const out = fs.createWriteStream(null, { fd: 3 });
  const answer = (msg) => out.write(`${JSON.stringify(msg)}\n`);
  answer({ id: 0, result: { providerText: text } });
  const lines = readline.createInterface({ input: process.stdin });
  lines.on("line", (line) => {
    const { id, method, args } = JSON.parse(line);
    (async () => {
      const props = method === "create" ? args[0] : method === "check" ? args[1] : args[args.length - 1];
      const provider = await providerFor(props);
      return provider[method](...args);
    })().then(
      (result) => answer({ id, result: result === undefined ? null : result }),
      (e) =>
        answer({ id, error: { message: e.message, id: e.id, properties: e.properties, reasons: e.reasons } }),
    );
  });
  lines.on("close", () => process.exit(0));
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
