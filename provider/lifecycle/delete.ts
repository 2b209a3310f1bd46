/** `delete`: delete the snapshot and wait until it is gone; 404 counts as done. */
import type { ProviderDeps } from "../deps";
import { deleteAndWait } from "./create";
import { stringProp } from "../props";
import { openSession } from "./session";

/** Deletes the snapshot named by `id` (`<namespace>/<name>`), whatever its phase. */
export async function deleteSnapshot(
  deps: ProviderDeps,
  id: string,
  props: Record<string, unknown>,
): Promise<void> {
  const context = typeof props["context"] === "string" ? props["context"] : undefined;
  const session = await openSession(deps, context, stringProp(props, "apiVersion"));
  const [namespace = "", name = ""] = id.split("/");
  const resourceName = stringProp(props, "resourceName", name);
  const deleteTimeout = typeof props["deleteTimeout"] === "string" ? props["deleteTimeout"] : "5m";
  await deleteAndWait(
    deps,
    session,
    { resourceName, deleteTimeout },
    { version: session.version, namespace, name },
  );
  if (props["deletionPolicy"] === "Retain" && props["readyToUse"] === true) {
    deps.log.info(
      `[${resourceName}] deletionPolicy Retain: the VirtualMachineSnapshotContent ${stringProp(props, "contentName")} ` +
        "and its VolumeSnapshots stay in the cluster; delete them yourself when no longer needed.",
    );
  }
}
