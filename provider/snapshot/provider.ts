/**
 * The `VMSnapshot` provider: Pulumi's CRUD methods, each a few named steps over the pure decisions and the
 * injected I/O. Every method that touches the cluster opens one operation context (core/operation.ts) and
 * hands it down. The serialized provider stored in state (sdk/serialized-provider.ts) forwards to this.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ProviderDeps } from "../core/deps";
import { openOperation, storedTarget, type OperationTarget } from "../core/operation";
import { readChecked } from "../core/read-checked";
import { completeResourceId } from "../core/resource-id";
import { refuseUnsafeDelete } from "../core/stored-state";
import { checkInputs } from "./check";
import { createSnapshot } from "./create";
import { deleteSnapshot } from "./delete";
import { diffSnapshot } from "./diff";
import { providerInputsSchema, type ProviderInputs } from "./inputs";
import { readSnapshot } from "./read";
import { readSkipped, updateSkipped } from "./skipped";
import { readSnapshotState, SNAPSHOT_DELETE_DECIDING } from "./state";
import { updateSnapshot } from "./update";

type Props = Record<string, unknown>;

/** Re-validates checked inputs at the start of create/update (they come from `check`, so this rarely fails). */
export function readInputs(raw: Props): ProviderInputs & { __provider?: unknown } {
  return readChecked(providerInputsSchema, "VMSnapshot", raw);
}

/** The snapshot that checked inputs name, in the cluster their context selects. */
function inputTarget(inputs: ProviderInputs): OperationTarget {
  const { resourceName, namespace, name, context } = inputs;
  return { resourceName, namespace, name, context };
}

/** Builds the provider over the given I/O. */
export function createVmSnapshotProvider(
  deps: ProviderDeps,
): Required<Omit<pulumi.dynamic.ResourceProvider, "configure">> {
  return {
    check: (olds: Props | undefined, news: Props) => Promise.resolve(checkInputs(olds, news, deps.suffix)),
    diff: (_id: string, olds: Props, news: Props) => Promise.resolve(diffSnapshot(olds, news)),
    create: async (raw: Props) => {
      const inputs = readInputs(raw);
      return createSnapshot(await openOperation(deps, inputTarget(inputs)), inputs);
    },
    read: async (id: string, props?: Props) => {
      const stored = readSnapshotState(props ?? {});
      const fullId = completeResourceId(id, stored.state.namespace);
      if (stored.state.skipped) return readSkipped(fullId, stored);
      return readSnapshot(await openOperation(deps, storedTarget(fullId, stored.state)), fullId, stored);
    },
    update: async (id: string, olds: Props, raw: Props) => {
      const news = readInputs(raw);
      const stored = readSnapshotState(olds);
      if (stored.state.skipped) return updateSkipped(news, stored.state);
      const target = { ...inputTarget(news), apiVersion: stored.state.apiVersion };
      return updateSnapshot(await openOperation(deps, target), id, stored.state, news);
    },
    delete: async (id: string, props: Props) => {
      const stored = readSnapshotState(props);
      const target = storedTarget(id, stored.state);
      const guard = { kind: "VirtualMachineSnapshot", id, resourceName: target.resourceName };
      refuseUnsafeDelete({ ...guard, deciding: SNAPSHOT_DELETE_DECIDING }, stored);
      return deleteSnapshot(await openOperation(deps, target), stored.state);
    },
  };
}
