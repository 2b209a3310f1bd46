/** The usual start of a test file: a ground with the storage fixtures in place, and admin access to it. */
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
