/**
 * The `VMRestore` provider: Pulumi's CRUD methods over the restore's pure decisions and injected I/O; every
 * method that touches the cluster opens one operation context (core/operation.ts) and hands it down.
 */
import type * as pulumi from "@pulumi/pulumi";
import { completeResourceId } from "../core/resource-id";
import { openOperation, storedTarget } from "../core/operation";
import { resourcePrefix } from "../core/resource-prefix";
import { readChecked } from "../core/read-checked";
import { refuseUnsafeDelete } from "../core/stored-state";
import { checkRestoreInputs } from "./check";
import { createRestore, type RestoreDeps } from "./create";
import { diffRestore } from "./diff";
import { restoreInputsSchema, type RestoreInputs } from "./inputs";
import { deleteRestore, readRestore } from "./read-delete";
import { readRestoreState, RESTORE_DELETE_DECIDING } from "./state";

type Props = Record<string, unknown>;

/** Re-validates checked restore inputs at the start of create/update. */
export function readRestoreInputs(raw: Props): RestoreInputs & { __provider?: unknown } {
  return readChecked(restoreInputsSchema, "VMRestore", raw);
}

/** Builds the restore provider over the given I/O. */
export function createVmRestoreProvider(
  deps: RestoreDeps,
): Required<Omit<pulumi.dynamic.ResourceProvider, "configure">> {
  return {
    check: (olds: Props | undefined, news: Props) => {
      const { outcome, warnings } = checkRestoreInputs(olds, news, deps.suffix);
      const resourceName = typeof news["resourceName"] === "string" ? news["resourceName"] : "VMRestore";
      for (const warning of warnings) deps.log.warn(`${resourcePrefix(resourceName)}warning: ${warning}`);
      return Promise.resolve(outcome);
    },
    diff: (_id: string, olds: Props, news: Props) => Promise.resolve(diffRestore(olds, news)),
    create: async (raw: Props) => {
      const inputs = readRestoreInputs(raw);
      const { resourceName, namespace, name, context } = inputs;
      return createRestore(await openOperation(deps, { resourceName, namespace, name, context }), inputs);
    },
    read: async (id: string, props?: Props) => {
      const stored = readRestoreState(props ?? {});
      const fullId = completeResourceId(id, stored.state.namespace);
      return readRestore(await openOperation(deps, storedTarget(fullId, stored.state)), fullId, stored);
    },
    // Only waits and markers change in place: store them (over the state, read with `deadline` as `timeout`).
    update: (_id: string, olds: Props, news: Props) => {
      const { __provider: _provider, ...inputs } = readRestoreInputs(news);
      const { __provider: _stored, ...stored } = readRestoreState(olds).state;
      return Promise.resolve({ outs: { ...stored, ...inputs } });
    },
    delete: async (id: string, props: Props) => {
      const stored = readRestoreState(props);
      const target = storedTarget(id, stored.state);
      const guard = { kind: "VirtualMachineRestore", id, resourceName: target.resourceName };
      refuseUnsafeDelete({ ...guard, deciding: RESTORE_DELETE_DECIDING }, stored);
      return deleteRestore(await openOperation(deps, target), id, stored.state);
    },
  };
}
