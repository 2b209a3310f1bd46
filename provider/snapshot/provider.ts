/**
 * The `VMSnapshot` provider: Pulumi's CRUD methods, each a few named steps over the pure decisions and the
 * injected I/O. The serialized provider stored in state (sdk/serialized-provider.ts) forwards to this.
 */
import type * as pulumi from "@pulumi/pulumi";
import { checkInputs } from "./check";
import type { ProviderDeps } from "../core/deps";
import { diffSnapshot } from "./diff";
import { providerInputsSchema, type ProviderInputs } from "./inputs";
import { readChecked } from "../core/read-checked";
import { createSnapshot } from "./create";
import { deleteSnapshot } from "./delete";
import { readSnapshot } from "./read";
import { updateSnapshot } from "./update";

type Props = Record<string, unknown>;

/** Re-validates checked inputs at the start of create/update (they come from `check`, so this rarely fails). */
export function readInputs(raw: Props): ProviderInputs & { __provider?: unknown } {
  return readChecked(providerInputsSchema, "VMSnapshot", raw);
}

/** Builds the provider over the given I/O. */
export function createVmSnapshotProvider(
  deps: ProviderDeps,
): Required<Omit<pulumi.dynamic.ResourceProvider, "configure">> {
  return {
    check: (olds: Props | undefined, news: Props) => Promise.resolve(checkInputs(olds, news, deps.suffix)),
    diff: (_id: string, olds: Props, news: Props) => Promise.resolve(diffSnapshot(olds, news)),
    create: async (inputs: Props) => createSnapshot(deps, readInputs(inputs)),
    read: async (id: string, props?: Props) => readSnapshot(deps, id, props ?? {}),
    update: async (id: string, olds: Props, news: Props) => updateSnapshot(deps, id, olds, readInputs(news)),
    delete: async (id: string, props: Props) => deleteSnapshot(deps, id, props),
  };
}
