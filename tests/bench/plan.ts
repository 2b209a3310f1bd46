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
  /** Cold starts of the provider host (and of the no-op host). */
  coldSamples: number;
}

const FULL: BenchPlan = {
  name: "full",
  detectionSamples: 60,
  failSamples: 10,
  failDeadlineS: 5,
  failTimeoutS: 30,
  scaleCount: 200,
  namespaces: 4,
  coldSamples: 3,
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
};

/** `--ci` (or `--short`) picks the short run; `--n=<count>` overrides the scale phase's size. */
export function planFromArgs(args: readonly string[]): BenchPlan {
  const plan = { ...(args.includes("--ci") || args.includes("--short") ? SHORT : FULL) };
  const n = args.find((arg) => arg.startsWith("--n="));
  if (n) plan.scaleCount = Number(n.slice(4));
  return plan;
}
