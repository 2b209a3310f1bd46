/**
 * Starts the engine watch once per process, only inside Pulumi's Node dynamic-provider host (whose first
 * argument is the engine's address); a program, a test or a script loading the provider is left alone.
 */
import { grpcHealthProbe } from "./grpc-health";
import { watchEngine } from "./engine-watch";

/** How often the engine is asked whether it is still there. */
const ENGINE_PROBE_INTERVAL_MS = 1000;

let started = false;

/** The engine address when this process is Pulumi's dynamic-provider host, else `undefined`. */
export function hostEngineAddress(mainFile: string | undefined, argv: readonly string[]): string | undefined {
  if (!mainFile || !/[\\/]cmd[\\/]dynamic-provider[\\/]index\.js$/.test(mainFile)) return undefined;
  const address = argv[2];
  return address && /^[\w.[\]:-]+:\d+$/.test(address) ? address : undefined;
}

/** Watches the engine (idempotent); when it is gone, says so and exits, which ends every watch. */
export function startEngineWatch(): void {
  const mainFile = require.main?.filename;
  const address = hostEngineAddress(mainFile, process.argv);
  if (started || !address || !mainFile) return;
  started = true;
  watchEngine({
    probe: grpcHealthProbe(address, mainFile),
    intervalMs: ENGINE_PROBE_INTERVAL_MS,
    goneAfter: 2,
    schedule: (ms, run) => {
      const timer = setTimeout(run, ms);
      timer.unref();
      return () => clearTimeout(timer);
    },
    onGone: () => {
      console.error(
        `[pulumi-kubevirt-snapshot] the Pulumi engine at ${address} no longer answers (pulumi was killed); ` +
          "the provider host exits. A snapshot it was waiting for is settled by the next `pulumi up`.",
      );
      process.exit(1);
    },
  });
}
