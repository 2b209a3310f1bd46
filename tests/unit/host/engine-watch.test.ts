/**
 * The provider host ends with its engine: the watch loop over a scripted probe, the probe against a real gRPC
 * server (grpc-js, as Pulumi's engine serves) that is then shut down, and the host detection.
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { watchEngine, type EngineProbe } from "../../../provider/host/engine-watch";
import { grpcHealthProbe } from "../../../provider/host/grpc-health";
import { hostEngineAddress } from "../../../provider/host/start";

/**
 * Runs the watch over scripted probe answers with immediate scheduling. The test waits on the watch's own
 * progress (a number of probes made, or onGone called), never on a wall-clock pause, so a loaded machine only
 * makes it slower.
 */
function runWatch(answers: EngineProbe[], goneAfter = 2) {
  const seen: EngineProbe[] = [];
  let gone = false;
  let wake = () => {};
  const stop = watchEngine({
    probe: async () => {
      const next = answers.shift() ?? "alive";
      seen.push(next);
      wake();
      return next;
    },
    onGone: () => {
      gone = true;
      wake();
    },
    intervalMs: 0,
    goneAfter,
    schedule: (_ms, run) => {
      const timer = setImmediate(run);
      return () => clearImmediate(timer);
    },
  });
  /** Resolves once `done()` holds, checked after every probe and onGone. */
  const until = (done: () => boolean) =>
    new Promise<void>((resolve) => {
      wake = () => {
        if (done()) resolve();
      };
      wake();
    });
  return { seen, isGone: () => gone, stop, until };
}

/** A few turns of the event loop: a watch still running would probe again in each. */
const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe("watchEngine", () => {
  it("calls onGone after consecutive 'gone' answers; an 'alive' or 'unknown' in between starts the count again", async () => {
    const watch = runWatch(["alive", "gone", "unknown", "gone", "alive", "gone", "gone"]);
    await watch.until(() => watch.isGone());
    expect(watch.seen).toEqual(["alive", "gone", "unknown", "gone", "alive", "gone", "gone"]);
  });

  it("never calls onGone while the engine answers, and stops probing when stopped", async () => {
    const watch = runWatch(["alive", "unknown", "alive"]);
    await watch.until(() => watch.seen.length >= 6);
    watch.stop();
    const probes = watch.seen.length;
    await turns(20);
    expect(watch.isGone()).toBe(false);
    expect(watch.seen.length).toBe(probes);
  });
});

describe("grpcHealthProbe", () => {
  const fromFile = join(__dirname, "..", "..", "..", "node_modules", "@pulumi", "pulumi", "index.js");
  const grpc = createRequire(fromFile)("@grpc/grpc-js") as typeof import("@grpc/grpc-js");

  it("finds a gRPC server without the health service alive, and gone once it has shut down", async () => {
    const server = new grpc.Server();
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    const probe = grpcHealthProbe(`127.0.0.1:${port}`, fromFile, 2000);
    expect(await probe()).toBe("alive");
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    expect(await probe()).toBe("gone");
  });
});

describe("hostEngineAddress", () => {
  const host = "/p/node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js";
  it("is the first argument inside Pulumi's dynamic-provider host, and undefined anywhere else", () => {
    expect(hostEngineAddress(host, ["node", host, "127.0.0.1:43817"])).toBe("127.0.0.1:43817");
    expect(hostEngineAddress(host, ["node", host])).toBeUndefined();
    expect(hostEngineAddress(host, ["node", host, "--flag"])).toBeUndefined();
    expect(hostEngineAddress("/p/dist/scripts/demo.js", ["node", "demo.js", "127.0.0.1:1"])).toBeUndefined();
    expect(hostEngineAddress(undefined, [])).toBeUndefined();
  });
});
