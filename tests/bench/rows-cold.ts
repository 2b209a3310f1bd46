/** Table rows of phase 5 (cold start). */
import type { ClientNodeFloor } from "./client-node-floor";
import type { ColdStart } from "./coldstart";
import { median } from "./stats";
import { num, ratio, type Row } from "./table";

function med(samples: readonly ColdStart[], pick: (c: ColdStart) => number | undefined): number {
  return median(samples.map(pick).filter((v): v is number => v !== undefined));
}

/** Rows of the cold-start phase (medians). */
export function coldRows(
  ours: readonly ColdStart[],
  noop: readonly ColdStart[],
  clientNode: ClientNodeFloor,
): Row[] {
  const n = `median of ${ours.length}`;
  const row = (measure: string, o: number, peerLabel: string, p: number, more = ""): Row => ({
    measure: `${measure} (${n}), ms`,
    ours: num(o),
    peer: `${peerLabel}: ${num(p)}${more}`,
    ratio: ratio(o, p),
    target: "",
    met: "",
  });
  return [
    row(
      "cold start: host start → first create's POST at the apiserver",
      med(ours, (c) => c.firstCreate),
      "no-op dynamic provider, host start → first create answered",
      med(noop, (c) => c.firstCreate),
    ),
    row(
      "host start → gRPC port",
      med(ours, (c) => c.port),
      "no-op",
      med(noop, (c) => c.port),
    ),
    row(
      "first check (deserialize, configure: loads the implementation)",
      med(ours, (c) => c.firstCheck),
      "no-op",
      med(noop, (c) => c.firstCheck),
    ),
    row(
      "create call → its POST, first create (loads client-node, connects, discovers)",
      med(ours, (c) => c.coldLead),
      "second create in the warm host",
      med(ours, (c) => c.warmLead),
      `; import of client-node alone in a bare node process: ${num(clientNode.importMs)} ` +
        `(median of ${clientNode.samples}; its peak RSS ${num(clientNode.importMb)} MB, bare node ${num(clientNode.bareMb)} MB)`,
    ),
  ];
}
