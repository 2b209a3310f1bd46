/** How much the bench measures: the full run (`npm run bench`) or the short one CI runs (`npm run bench:ci`). */

/** Sample counts and sizes of one run. */
export interface BenchPlan {
  name: "full" | "short";
  /** Snapshots per waiter in the detection-latency phase (after one warm-up round). */
  detectionSamples: number;
  /** Failed snapshots for the provider and the floor (kubectl and the CustomResource run one each). */
  failSamples: number;
  /** KubeVirt's failureDeadline of the failing snapshots, seconds. */
  failDeadlineS: number;
  /** The timeout of the waiters that have one (kubectl wait, the CustomResource), seconds from their start. */
  failTimeoutS: number;
  /** Snapshots (and VMs) in the scale phase. */
  scaleCount: number;
  /** Namespaces they are spread over. */
  namespaces: number;
  /** Cold starts of the provider host (and of the no-op host), and samples of the client-node floor. */
  coldSamples: number;
  /** The quiet window before the scale phase's baseline in which the ground's CPU at rest is read, seconds. */
  restWindowS: number;
  /** The phases to run (1 detection, 2 fail-fast, 3 and 4 scale and state, run together, 5 cold start). */
  phases: ReadonlySet<number>;
}

/** Every phase. */
const ALL_PHASES: ReadonlySet<number> = new Set([1, 2, 3, 4, 5]);

const FULL: BenchPlan = {
  name: "full",
  detectionSamples: 60,
  failSamples: 10,
  failDeadlineS: 5,
  failTimeoutS: 30,
  scaleCount: 200,
  namespaces: 4,
  coldSamples: 3,
  restWindowS: 10,
  phases: ALL_PHASES,
};

const SHORT: BenchPlan = {
  name: "short",
  detectionSamples: 5,
  failSamples: 2,
  failDeadlineS: 3,
  failTimeoutS: 8,
  scaleCount: 8,
  namespaces: 4,
  coldSamples: 1,
  restWindowS: 5,
  phases: ALL_PHASES,
};

/** The phase numbers of `--only=1,3`; phases 3 and 4 are one run, so either selects both. */
function parsePhases(list: string): ReadonlySet<number> {
  const phases = new Set<number>();
  for (const item of list.split(",")) {
    const phase = Number(item.trim());
    if (!ALL_PHASES.has(phase)) throw new Error(`--only: "${item}" is not a phase number (1 to 5)`);
    phases.add(phase);
  }
  if (phases.has(3) || phases.has(4)) phases.add(3).add(4);
  return phases;
}

/**
 * `--ci` (or `--short`) picks the short run; `--n=<count>` overrides the scale phase's size; `--only=<list>`
 * runs only the phases listed (comma-separated numbers, e.g. `--only=1,3`).
 */
export function planFromArgs(args: readonly string[]): BenchPlan {
  const plan = { ...(args.includes("--ci") || args.includes("--short") ? SHORT : FULL) };
  const n = args.find((arg) => arg.startsWith("--n="));
  if (n) plan.scaleCount = Number(n.slice(4));
  const only = args.find((arg) => arg.startsWith("--only="));
  if (only) plan.phases = parsePhases(only.slice("--only=".length));
  return plan;
}
