/**
 * Progress lines for a waiting snapshot: one line when something a user cares about changes (phase,
 * Progressing reason, indications, error, readiness), prefixed with the Pulumi resource name, throttled.
 */
import { findCondition, type VirtualMachineSnapshot } from "../kube/types";

/** Where progress and warnings go (the console in the provider host; a recorder in tests). */
export interface Logger {
  info(line: string): void;
  warn(line: string): void;
}

/** The parts of a snapshot's status a progress line reports. */
export function progressSummary(snapshot: VirtualMachineSnapshot | undefined): string {
  if (!snapshot) return "gone";
  const s = snapshot.status ?? {};
  const parts = [`phase ${s.phase || "(not yet reconciled)"}`];
  const progressing = findCondition(s.conditions, "Progressing")?.reason;
  if (progressing) parts.push(`progressing: ${progressing}`);
  if (s.indications?.length) parts.push(`indications: ${s.indications.join(", ")}`);
  if (s.readyToUse) parts.push("readyToUse");
  if (s.error?.message) parts.push(`error: ${s.error.message}`);
  return parts.join("; ");
}

/** One observation as a progress line, and the milestone whose change is reported at once. */
export interface Summary {
  line: string;
  milestone: string;
}

/** Describes one observed object (`undefined` = it no longer exists). */
export type Summarize<T> = (object: T | undefined) => Summary;

/** Text to append to a snapshot's progress line, from its Progressing reason ("" adds nothing). */
export type SnapshotDecoration = (progressingReason: string) => string;

/**
 * The snapshot summarizer: phase, readiness and any error are milestones. `decorate`, when given, may add
 * text for the current Progressing reason (e.g. the pods behind KubeVirt's "pods using PVCs" count).
 */
export function summarizeSnapshot(
  snapshot: VirtualMachineSnapshot | undefined,
  decorate?: SnapshotDecoration,
): Summary {
  const s = snapshot?.status ?? {};
  const extra =
    snapshot && decorate ? decorate(findCondition(s.conditions, "Progressing")?.reason ?? "") : "";
  return {
    line: progressSummary(snapshot) + (extra ? `; ${extra}` : ""),
    milestone: `${s.phase ?? ""}|${String(s.readyToUse === true)}|${s.error?.message ?? ""}`,
  };
}

/** Options of a {@link ProgressReporter}. */
export interface ProgressOptions<T> {
  /** Starts every line, e.g. `[db] prod/db-1-abc: `. */
  prefix: string;
  /** Where the lines go. */
  log: Logger;
  /** Current time in ms. */
  now: () => number;
  /** Minimum interval between non-urgent lines (default 2000). */
  minIntervalMs?: number | undefined;
  /** How one observation reads (default: {@link summarizeSnapshot}). */
  summarize?: Summarize<T> | undefined;
}

/**
 * Prints a summary line whenever it changes: milestones (for snapshots: phase, readiness and errors) at
 * once, other changes (Progressing reason, indications) at most every `minIntervalMs`; a held-back line is
 * printed when the interval ends if it is still the latest, so the reason an object waits is never lost.
 */
export class ProgressReporter<T = VirtualMachineSnapshot> {
  private lastLine = "";
  private lastMilestone: string | undefined;
  private lastPrintedAt = Number.NEGATIVE_INFINITY;
  private held: Summary | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly prefix: string;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly minIntervalMs: number;
  private readonly summarize: Summarize<T>;

  constructor(options: ProgressOptions<T>) {
    this.prefix = options.prefix;
    this.log = options.log;
    this.now = options.now;
    this.minIntervalMs = options.minIntervalMs ?? 2000;
    this.summarize = options.summarize ?? (summarizeSnapshot as unknown as Summarize<T>);
  }

  /** Reports one observation. */
  observe(object: T | undefined): void {
    const summary = this.summarize(object);
    if (summary.line === this.lastLine) return;
    const urgent = summary.milestone !== this.lastMilestone;
    if (!urgent && this.now() - this.lastPrintedAt < this.minIntervalMs) {
      this.hold(summary);
      return;
    }
    this.print(summary);
  }

  /** Prints a held-back line now (called when the wait ends). */
  flush(): void {
    if (this.held) this.print(this.held);
  }

  private hold(entry: Summary): void {
    this.held = entry;
    if (this.timer) return;
    this.timer = setTimeout(
      () => this.flush(),
      Math.max(0, this.lastPrintedAt + this.minIntervalMs - this.now()),
    );
    this.timer.unref();
  }

  private print(entry: Summary): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.held = undefined;
    this.lastLine = entry.line;
    this.lastMilestone = entry.milestone;
    this.lastPrintedAt = this.now();
    this.log.info(`${this.prefix}${entry.line}`);
  }
}
