/** The bench's one table: each figure beside its peer or floor, the ratio, and the target. */

/** One row of the table. */
export interface Row {
  measure: string;
  ours: string;
  peer: string;
  ratio: string;
  target: string;
  /** Whether the target is met: "yes", "no", or "" when there is none (or no figure). */
  met: "yes" | "no" | "";
}

/** Whether `ok` holds, as the table says it; "" when the figure is missing (NaN). */
export function meets(figure: number, ok: boolean): Row["met"] {
  return Number.isFinite(figure) ? (ok ? "yes" : "no") : "";
}

/** A number with `digits` decimals, or "–" for NaN. */
export function num(value: number, digits = 1): string {
  return Number.isFinite(value) ? value.toFixed(digits) : "–";
}

/** `ours / peer` as "1.23×", "–" when either is missing or the peer is zero. */
export function ratio(ours: number, peer: number): string {
  return Number.isFinite(ours) && Number.isFinite(peer) && peer !== 0 ? `${(ours / peer).toFixed(2)}×` : "–";
}

function escape(cell: string): string {
  return cell.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** The rows as a markdown table. */
export function renderTable(rows: readonly Row[]): string {
  const header = ["measure", "pulumi-kubevirt-snapshot", "peer / floor", "ratio", "target (issue 11)", "met"];
  const lines = [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`];
  for (const r of rows)
    lines.push(`| ${[r.measure, r.ours, r.peer, r.ratio, r.target, r.met].map(escape).join(" | ")} |`);
  return lines.join("\n");
}

/** A row saying a phase could not be measured. */
export function failedRow(measure: string, error: unknown): Row {
  const message = error instanceof Error ? error.message : String(error);
  return {
    measure,
    ours: `error: ${message.split("\n")[0] ?? ""}`,
    peer: "",
    ratio: "",
    target: "",
    met: "",
  };
}
