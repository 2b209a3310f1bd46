/** What the CRUD methods of both resource types hand back to Pulumi's dynamic-provider host. */
import type { PlainValue } from "./sanitize";

/** Pulumi's `CreateResult`: the resource id (`<namespace>/<name>`) and the outputs to store. */
export interface CreateOutcome {
  id: string;
  outs: Record<string, PlainValue>;
}

/** Pulumi's `ReadResult`: no `id` means the resource is gone. */
export interface ReadOutcome {
  id?: string;
  props?: Record<string, PlainValue>;
}
