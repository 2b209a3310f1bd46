/**
 * The bench's clock: wall time with sub-millisecond resolution, comparable with the apiserver's audit
 * timestamps (microseconds of the same host clock), and the parser for those timestamps.
 */
import { performance } from "node:perf_hooks";

/** Milliseconds since the epoch, with the fraction performance.now() gives. */
export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

/** How far Date.now() has moved from {@link wallNow} since this process started (clock steps, slew), ms. */
export function clockDriftMs(): number {
  return Date.now() - wallNow();
}

/** An RFC 3339 time with up to nanoseconds (as audit events carry them) in epoch milliseconds, fraction kept. */
export function parseMicroTime(text: string): number {
  const match = /^(.*T\d\d:\d\d:\d\d)(\.\d+)?Z$/.exec(text);
  if (!match) return Date.parse(text);
  return Date.parse(`${match[1] ?? ""}Z`) + Number(`0${match[2] ?? ""}`) * 1000;
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
