/**
 * Phase 4, state: the bytes one resource takes in `pulumi stack export`, as compact JSON (the export's
 * indentation left out), in total and split into its inputs and outputs without `__provider`, and the
 * serialized provider itself (stored in both).
 */

/** Average bytes per resource of one type. */
export interface StateSize {
  resources: number;
  total: number;
  inputs: number;
  outputs: number;
  provider: number;
}

function bytes(value: unknown): number {
  return value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value));
}

function withoutProvider(props: Record<string, unknown> | undefined): Record<string, unknown> {
  const { __provider: _provider, ...rest } = props ?? {};
  return rest;
}

/** The average state size of the resources of `type` in an export (the CLI's JSON text). */
export function stateSize(exported: string, type: string): StateSize {
  const resources = (
    (JSON.parse(exported) as { deployment: { resources?: any[] } }).deployment.resources ?? []
  ).filter((r) => r.type === type);
  const sum = { resources: resources.length, total: 0, inputs: 0, outputs: 0, provider: 0 };
  for (const r of resources) {
    sum.total += bytes(r);
    sum.inputs += bytes(withoutProvider(r.inputs));
    sum.outputs += bytes(withoutProvider(r.outputs));
    sum.provider += bytes(r.inputs?.__provider) + bytes(r.outputs?.__provider);
  }
  const n = Math.max(1, resources.length);
  return {
    resources: resources.length,
    total: sum.total / n,
    inputs: sum.inputs / n,
    outputs: sum.outputs / n,
    provider: sum.provider / n,
  };
}
