/** What the restore provider receives: the user's inputs plus the resource name and owner the SDK adds. */
import { z } from "zod";
import { vmRestoreArgsShape } from "../../shared/restore-args";

/** The provider-side restore schema. */
export const restoreInputsSchema = z
  .object({
    ...vmRestoreArgsShape,
    /** The Pulumi resource name (the first argument of `new VMRestore(...)`). */
    resourceName: z.string().min(1),
    /** `<project>/<stack>/<resource name>`: written to the owner annotation. */
    owner: z.string().min(1),
  })
  .strict();

/** Validated restore inputs with defaults applied and the Kubernetes name chosen. */
export type RestoreInputs = z.output<typeof restoreInputsSchema> & { name: string; autoNamed: boolean };
