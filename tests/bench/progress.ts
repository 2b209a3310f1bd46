/** The bench's progress lines: always the phases, and with KVSNAP_BENCH_VERBOSE=1 the steps inside them. */
import { wallNow } from "./clock";

const verbose = process.env["KVSNAP_BENCH_VERBOSE"] === "1";

/** Prints a progress line. */
export function say(line: string): void {
  console.log(`[bench] ${line}`);
}

/** A stopwatch whose laps are printed in verbose mode: `lap("held")` prints the time since the last lap. */
export function stopwatch(what: string): (step: string) => void {
  let last = wallNow();
  return (step) => {
    const now = wallNow();
    if (verbose) say(`${what}: ${step} ${(now - last).toFixed(0)} ms`);
    last = now;
  };
}
