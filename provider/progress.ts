/**
 * Progress lines for a waiting snapshot: one line when something a user cares about changes (phase,
 * Progressing reason, indications, error, readiness), prefixed with the Pulumi resource name, throttled.
 */
import { findCondition, type VirtualMachineSnapshot } from "./kube/types";

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

/**
 * Prints a summary line whenever it changes: phase, readiness and errors at once, other changes (Progressing
 * reason, indications) at most every `minIntervalMs`; a held-back line is printed when the interval ends
 * if it is still the latest, so the reason a snapshot waits is never lost.
 */
export class ProgressReporter {
  private lastLine = "";
  private lastPhase: string | undefined;
  private lastReady: boolean | undefined;
  private lastPrintedAt = Number.NEGATIVE_INFINITY;
  private held: { line: string; phase: string; ready: boolean } | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly prefix: string,
    private readonly log: Logger,
    private readonly now: () => number,
    private readonly minIntervalMs = 2000,
  ) {}

  /** Reports one observation. */
  observe(snapshot: VirtualMachineSnapshot | undefined): void {
    const line = progressSummary(snapshot);
    if (line === this.lastLine) return;
    const phase = snapshot?.status?.phase ?? "";
    const readyNow = snapshot?.status?.readyToUse === true;
    const urgent =
      phase !== this.lastPhase || readyNow !== this.lastReady || Boolean(snapshot?.status?.error?.message);
    if (!urgent && this.now() - this.lastPrintedAt < this.minIntervalMs) {
      this.hold({ line, phase, ready: readyNow });
      return;
    }
    this.print({ line, phase, ready: readyNow });
  }

  /** Prints a held-back line now (called when the wait ends). */
  flush(): void {
    if (this.held) this.print(this.held);
  }

  private hold(entry: { line: string; phase: string; ready: boolean }): void {
    this.held = entry;
    if (this.timer) return;
    this.timer = setTimeout(
      () => this.flush(),
      Math.max(0, this.lastPrintedAt + this.minIntervalMs - this.now()),
    );
    this.timer.unref();
  }

  private print(entry: { line: string; phase: string; ready: boolean }): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.held = undefined;
    this.lastLine = entry.line;
    this.lastPhase = entry.phase;
    this.lastReady = entry.ready;
    this.lastPrintedAt = this.now();
    this.log.info(`${this.prefix}${entry.line}`);
  }
}
