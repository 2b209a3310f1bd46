/**
 * Pulumi's Node dynamic-provider host (@pulumi/pulumi/cmd/dynamic-provider), started as the engine starts it
 * (the engine's address as its argument, the program directory as its working directory, whose node_modules
 * resolves this package), and the serialized providers the engine would hand it in `__provider`.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { PACKAGE_NAME, REPO } from "../support/project";
import { startPluginProcess } from "./plugin-process";
import { providerClient, type ProviderClient } from "./provider-client";

/** The host's entry point, in this repository's @pulumi/pulumi. */
export const DYNAMIC_HOST = join(
  REPO,
  "node_modules",
  "@pulumi",
  "pulumi",
  "cmd",
  "dynamic-provider",
  "index.js",
);

/** The text Pulumi stores in `__provider` for a provider object (as pulumi.dynamic.Resource serializes it). */
export async function serializedText(provider: object): Promise<string> {
  const serialized = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
  return serialized.text;
}

/**
 * VMSnapshot's provider text, as this repository's built SDK stores it in `__provider`: the text it exports,
 * or, for a package from before that text (at-commit.sh --provider), its provider object serialized as
 * `pulumi.dynamic.Resource` did.
 */
export async function vmSnapshotProviderText(): Promise<string> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdk = require(join(REPO, "dist", "sdk", "serialized-provider.js")) as {
    SNAPSHOT_PROVIDER_TEXT?: string;
    serializedProvider?: object;
  };
  if (sdk.SNAPSHOT_PROVIDER_TEXT) return sdk.SNAPSHOT_PROVIDER_TEXT;
  if (!sdk.serializedProvider)
    throw new Error("dist/sdk/serialized-provider.js exports no VMSnapshot provider");
  return serializedText(sdk.serializedProvider);
}

/** A dynamic provider that does nothing: the floor any dynamic provider's host costs. */
export const noopProvider = {
  async create(inputs: Record<string, unknown>) {
    return { id: "noop", outs: inputs };
  },
};

/** A program directory whose node_modules resolves this package, as a user's program has it. */
function programDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "kvsnap-bench-host-"));
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(REPO, join(dir, "node_modules", PACKAGE_NAME), "dir");
  return dir;
}

/** A started host, its program directory removed on close. */
export async function startDynamicHost(engineAddress: string): Promise<ProviderClient> {
  const cwd = programDir();
  const plugin = await startPluginProcess({
    command: process.execPath,
    args: [DYNAMIC_HOST, engineAddress],
    cwd,
    env: { PATH: process.env["PATH"] ?? "", HOME: cwd, KUBECONFIG: join(cwd, "no-kubeconfig") },
  });
  const client = providerClient(plugin);
  return {
    ...client,
    async close() {
      await client.close();
      rmSync(cwd, { recursive: true, force: true });
    },
  };
}
