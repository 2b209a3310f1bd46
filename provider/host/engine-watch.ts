/**
 * Ending the provider host with its engine. Pulumi's Node dynamic-provider host never talks to the engine, so
 * when `pulumi` is killed (SIGKILL, a CI job cancelled hard) the host would live on, reparented to init, its
 * watches open. Pulumi's Go providers poll the engine's gRPC address and stop when it no longer answers
 * (rpcutil.Healthcheck); this does the same for our host. The loop is pure over an injected probe and clock.
 */

/** What one probe of the engine found. */
export type EngineProbe = "alive" | "gone" | "unknown";

/** What {@link watchEngine} needs. */
export interface EngineWatchDeps {
  /** Asks the engine once (a gRPC health check); never rejects. */
  probe(): Promise<EngineProbe>;
  /** Called once when the engine is gone. */
  onGone(): void;
  /** Between probes. */
  intervalMs: number;
  /** Consecutive "gone" answers needed (a refused connection is certain; one is enough in practice). */
  goneAfter: number;
  /** Schedules the next probe; returns a cancel function (timers are unref'd in production). */
  schedule(ms: number, run: () => void): () => void;
}

/** Probes the engine every `intervalMs` until it is gone (then `onGone`) or the returned stop is called. */
export function watchEngine(deps: EngineWatchDeps): () => void {
  let stopped = false;
  let gone = 0;
  let cancel = (): void => undefined;
  const tick = (): void => {
    void deps.probe().then((found) => {
      if (stopped) return;
      gone = found === "gone" ? gone + 1 : 0;
      if (gone >= deps.goneAfter) {
        stopped = true;
        deps.onGone();
        return;
      }
      cancel = deps.schedule(deps.intervalMs, tick);
    });
  };
  cancel = deps.schedule(deps.intervalMs, tick);
  return () => {
    stopped = true;
    cancel();
  };
}
