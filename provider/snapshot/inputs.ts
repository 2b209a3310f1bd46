/**
 * What the provider receives: the user's inputs plus two values the SDK adds (the Pulumi resource name
 * and the owner marker), since provider methods never see the URN.
 */
import { z } from "zod";
import { vmSnapshotArgsShape } from "../../shared/args";
import { schemaDefaults } from "../core/defaults";

/** The provider-side input schema: the SDK's args plus `resourceName` and `owner`. */
export const providerInputsSchema = z
  .object({
    ...vmSnapshotArgsShape,
    /** The Pulumi resource name (the first argument of `new VMSnapshot(...)`). */
    resourceName: z.string().min(1),
    /** `<project>/<stack>/<resource name>`: written to the owner annotation. */
    owner: z.string().min(1),
  })
  .strict();

/** Validated provider inputs with defaults applied, and the Kubernetes name chosen. */
export type ProviderInputs = z.output<typeof providerInputsSchema> & { name: string; autoNamed: boolean };

/**
 * The defaults of the snapshot's inputs (`failureDeadline: "5m"`, `waitFor: "readyToUse"`, `triggers: []`, …):
 * left out of checked inputs and outputs, filled back by every reader (core/defaults.ts).
 */
export const SNAPSHOT_INPUT_DEFAULTS = schemaDefaults(vmSnapshotArgsShape);
