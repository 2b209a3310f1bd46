/** A bounded observation of one object, with progress: the common part of every wait in the provider. */
import type { ObjectMeta } from "../kube/types";
import { observeObject, type Decision, type ObjectStream } from "./observe";

/**
 * Observes one object (a snapshot, a restore) with `decide` until it says done or `boundMs` passes;
 * remembers the last object seen and prints each observation as progress. `value` is `undefined` when the
 * bound passed first.
 */
export async function observeWithin<R, T extends { metadata: ObjectMeta }>(
  options: {
    stream: ObjectStream<T>;
    boundMs: number;
    progress: { observe(object: T | undefined): void; flush(): void };
    timer(ms: number): AbortSignal;
    delay(ms: number, signal: AbortSignal): Promise<void>;
  },
  decide: (object: T | undefined) => Decision<R>,
): Promise<{ value: R | undefined; last: T | undefined }> {
  let last: T | undefined;
  const signal = options.timer(options.boundMs);
  try {
    const value = await observeObject<R, T>({
      stream: options.stream,
      signal,
      delay: options.delay,
      decide: (object) => {
        if (object) last = object;
        options.progress.observe(object);
        return decide(object);
      },
    });
    return { value, last };
  } catch (error) {
    if (signal.aborted) return { value: undefined, last };
    throw error;
  } finally {
    options.progress.flush();
  }
}
