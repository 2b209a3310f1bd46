/** The usual start of a test file: a ground with the storage fixtures in place, and admin access to it. */
import { readFileSync } from "node:fs";
import { startProviderHost, type ProviderHost } from "../support/host-client";
import { admin, createStorage, type Admin } from "./fixtures";
import { startGround, type CrdFlavour, type Ground } from "./ground";

/** Starts a ground, opens admin access and creates the storage classes and VolumeSnapshotClass. */
export async function readyGround(
  options: { crds?: CrdFlavour } = {},
): Promise<{ ground: Ground; a: Admin }> {
  const ground = await startGround(options);
  const a = await admin(ground.adminKubeconfig);
  await createStorage(a);
  return { ground, a };
}

/**
 * A ready ground plus a provider host (the serialized provider as Pulumi's host runs it) configured with
 * the ground's admin kubeconfig as secret stack config; `stop()` ends both.
 */
export async function readyGroundWithHost(
  provider: "serializedProvider" | "serializedRestoreProvider" = "serializedProvider",
): Promise<{ ground: Ground; a: Admin; host: ProviderHost; stop(): Promise<void> }> {
  const { ground, a } = await readyGround();
  const host = await startProviderHost(
    { "pulumi-kubevirt-snapshot:kubeconfig": readFileSync(ground.adminKubeconfig, "utf8") },
    provider,
  );
  return {
    ground,
    a,
    host,
    async stop() {
      await host.stop();
      await ground.stop();
    },
  };
}
