/** Table rows of phase 3 (scale, destroy, watches, requests, CPU, host memory) and phase 4 (state). */
import { groundAboveRest, type CpuFigures, type GroundRest } from "./cpu";
import type { PulumiScaleRun, RunFigures, ScaleResult } from "./scale";
import type { StateSize } from "./state-size";
import { meets, num, ratio, type Row } from "./table";

/** Total requests per snapshot, and the split by verb. */
function perSnapshot(requests: Record<string, number>, count: number): { total: number; text: string } {
  const total = Object.values(requests).reduce((a, b) => a + b, 0) / count;
  const split = Object.entries(requests)
    .sort((a, b) => b[1] - a[1])
    .map(([verb, n]) => `${verb} ${num(n / count, 2)}`)
    .join(", ");
  return { total, text: `${num(total, 2)} (${split}; over ${count} snapshots)` };
}

function wall(f: RunFigures): string {
  const failed = f.failed ? `; FAILED, ${f.failed}` : "";
  return `${num(f.wallS, 1)} s${f.cliDuration ? ` (CLI's update part: ${f.cliDuration})` : ""}${failed}`;
}

/** "client tree X s, ground Y s (…; above rest …), bench B s, machine busy Z% of 2 cores (…)". */
function cpuText(c: CpuFigures, rest: GroundRest, hostCpuS?: number): string {
  const host = hostCpuS === undefined ? "" : ` (of which the provider host ${num(hostCpuS)}, as sampled)`;
  const ground = Object.entries(c.ground)
    .map(([label, seconds]) => `${label} ${num(seconds)}`)
    .join(", ");
  const above = `above rest, ${num(rest.cores, 3)} cores × ${num(c.wallS)} s: ${num(groundAboveRest(c, rest))}`;
  const other = c.machineBusyS - c.clientS - c.groundS - c.benchS;
  return (
    `client tree ${num(c.clientS)}${host}, ground ${num(c.groundS)} (${ground}; ${above}), bench ${num(c.benchS)}; ` +
    `machine busy ${num(100 * c.machineBusyShare, 0)}% of ${c.cores} cores over ${num(c.wallS)} s ` +
    `(${num(c.machineBusyS)} CPU-s, ${num(other)} of them other work)`
  );
}

/** The CPU row of one kind of run: ours beside the plain client's (ratio: client tree). */
function cpuRow(measure: string, ours: RunFigures, base: RunFigures, rest: GroundRest): Row {
  return {
    measure: `CPU seconds, ${measure} (ratio: client tree)`,
    ours: cpuText(ours.cpu, rest, ours.hostCpuS),
    peer: `plain client: ${cpuText(base.cpu, rest)}`,
    ratio: ratio(ours.cpu.clientS, base.cpu.clientS),
    target: "",
    met: "",
  };
}

function runRows(s: ScaleResult, run: PulumiScaleRun): Row[] {
  const p = `N = ${s.count}, --parallel ${run.parallel}`;
  const { up, destroy } = run;
  const ours = perSnapshot(up.requests, up.snapshots);
  const base = perSnapshot(s.baseline.up.requests, s.baseline.up.snapshots);
  const [oursDown, baseDown] = [
    perSnapshot(destroy.requests, destroy.snapshots),
    perSnapshot(s.baseline.destroy.requests, s.baseline.destroy.snapshots),
  ];
  const n1 = Math.max(1, up.snapshots - 1);
  const growth = ((run.up.hostPeakMb ?? Number.NaN) - s.oursOneMb) / n1;
  const noopGrowth = (s.noopManyMb - s.noopOneMb) / Math.max(1, s.count - 1);
  return [
    {
      measure: `pulumi up wall (${p})`,
      ours: wall(up),
      peer:
        `plain client: ${num(s.baseline.up.wallS, 1)} s; ` +
        `no-op dynamic provider (the engine's own cost for N resources, same --parallel): ` +
        `${num(run.noopUp.wallS, 1)} s, client tree CPU ${num(run.noopUp.cpu.clientS)} s ` +
        `(of which its host ${num(run.noopUp.hostCpuS)})`,
      ratio: up.failed ? "–" : ratio(up.wallS, s.baseline.up.wallS),
      target: "≤ 1.1× baseline",
      met: up.failed ? "" : meets(up.wallS, up.wallS <= 1.1 * s.baseline.up.wallS),
    },
    {
      measure: `pulumi destroy wall (${p})`,
      ours: wall(destroy),
      peer: `plain client delete + wait gone: ${num(s.baseline.destroy.wallS, 1)} s`,
      ratio: destroy.failed ? "–" : ratio(destroy.wallS, s.baseline.destroy.wallS),
      target: "",
      met: "",
    },
    cpuRow(`pulumi up (${p})`, up, s.baseline.up, s.groundRest),
    cpuRow(`pulumi destroy (${p})`, destroy, s.baseline.destroy, s.groundRest),
    {
      measure: `watches open at peak, up (${p}, ${s.namespaces} namespaces)`,
      ours: String(up.peakWatches),
      peer: `plain client: ${s.baseline.up.peakWatches}`,
      ratio: ratio(up.peakWatches, s.baseline.up.peakWatches),
      target: `≤ ${s.namespaces} (namespaces)`,
      met: meets(up.peakWatches, up.peakWatches <= s.namespaces),
    },
    {
      measure: `API requests per snapshot, up (${p})`,
      ours: ours.text,
      peer: `plain client: ${base.text}`,
      ratio: ratio(ours.total, base.total),
      target: "≤ 6 per create",
      met: meets(ours.total, ours.total <= 6),
    },
    {
      measure: `API requests per snapshot, destroy (${p})`,
      ours: oursDown.text,
      peer: `plain client: ${baseDown.text}`,
      ratio: ratio(oursDown.total, baseDown.total),
      target: "",
      met: "",
    },
    {
      measure: `provider host RSS growth per extra snapshot, MB (peak at N − peak at 1) / (N − 1) (${p})`,
      ours: `${num(growth, 3)} (peak ${num(run.up.hostPeakMb ?? Number.NaN)} MB)`,
      peer: `no-op dynamic provider: ${num(noopGrowth, 3)} (peak ${num(s.noopManyMb)} MB)`,
      ratio: ratio(growth, noopGrowth),
      target: "< 0.2 MB",
      met: meets(growth, growth < 0.2),
    },
  ];
}

function stateText(s: StateSize): string {
  return `${num(s.total, 0)} B (inputs ${num(s.inputs, 0)}, outputs ${num(s.outputs, 0)}, __provider ${num(s.provider, 0)})`;
}

/** The row of the ground's CPU at rest, the rate the CPU rows' "above its rest rate" takes away. */
function restRow(rest: GroundRest): Row {
  const split = Object.entries(rest.byLabel)
    .map(([label, cores]) => `${label} ${num(cores, 3)}`)
    .join(", ");
  return {
    measure: `CPU, the ground at rest (nothing run against it, ${num(rest.windowS)} s right before the baseline), cores`,
    ours: `ground at rest: ${num(rest.cores, 3)} cores (${split})`,
    peer: "",
    ratio: "",
    target: "",
    met: "",
  };
}

/** Rows of the scale phase and the state. */
export function scaleRows(s: ScaleResult): Row[] {
  const c = s.clientNode;
  return [
    restRow(s.groundRest),
    ...s.runs.flatMap((run) => runRows(s, run)),
    {
      measure: "provider host peak RSS at N = 1, MB",
      ours: num(s.oursOneMb),
      peer:
        `no-op dynamic provider: ${num(s.noopOneMb)}; ` +
        `bare node importing client-node: ${num(c.importMb)} (bare node: ${num(c.bareMb)}; median of ${c.samples})`,
      ratio: ratio(s.oursOneMb, s.noopOneMb),
      target: "≤ 1.5× floor",
      met: meets(s.oursOneMb, s.oursOneMb <= 1.5 * s.noopOneMb),
    },
    {
      measure: `state per resource in pulumi stack export, compact JSON (N = ${s.state.resources})`,
      ours: stateText(s.state),
      peer: `no-op dynamic resource: ${stateText(s.noopState)}`,
      ratio: ratio(s.state.total, s.noopState.total),
      target: "≤ 2 KB",
      met: meets(s.state.total, s.state.total <= 2048),
    },
  ];
}
