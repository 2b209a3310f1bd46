import { KubeApiError } from "../../../provider/core/errors";
import { observeSnapshot } from "../../../provider/core/observe";
import { FakeCluster } from "../../support/fake-cluster";

const ref = { version: "v1beta1", namespace: "prod", name: "s1" };

async function withSnapshot() {
  const cluster = new FakeCluster();
  await cluster.createSnapshot("v1beta1", {
    metadata: { namespace: "prod", name: "s1" },
    spec: { source: { apiGroup: "kubevirt.io", kind: "VirtualMachine", name: "vm" } },
  });
  return cluster;
}

const untilPhase = (phase: string) => (o: { status?: { phase?: string } } | undefined) =>
  o?.status?.phase === phase ? { done: true as const, value: phase } : { done: false as const };

const setPhase = (cluster: FakeCluster, phase: string) =>
  cluster.update("prod", "s1", (s) => (s.status = { phase: phase as "InProgress" }));

describe("observeSnapshot", () => {
  it("decides on the listed object without watching when it is already final", async () => {
    const cluster = await withSnapshot();
    setPhase(cluster, "Succeeded");
    const value = await observeSnapshot({
      cluster,
      ref,
      decide: untilPhase("Succeeded"),
      signal: new AbortController().signal,
      delay: async () => undefined,
    });
    expect(value).toBe("Succeeded");
    expect(cluster.calls.filter((c) => c === "watch")).toEqual([]);
  });

  it("reconnects from the last resourceVersion when the watch is cut, without missing events", async () => {
    const cluster = await withSnapshot();
    const reconnects: string[] = [];
    const done = observeSnapshot({
      cluster,
      ref,
      decide: untilPhase("Succeeded"),
      signal: new AbortController().signal,
      delay: async () => undefined,
      onReconnect: (w) => reconnects.push(w),
    });
    await new Promise((r) => setTimeout(r, 5));
    setPhase(cluster, "InProgress");
    cluster.cutWatches();
    setPhase(cluster, "Succeeded"); // happens while no watch is open: the re-watch must replay it
    await expect(done).resolves.toBe("Succeeded");
    expect(reconnects).toEqual(["watch closed"]);
    expect(cluster.calls.filter((c) => c === "list")).toHaveLength(1);
    expect(cluster.openWatches()).toBe(0);
  });

  it("lists again when the resourceVersion is too old (410 Gone)", async () => {
    const cluster = await withSnapshot();
    const done = observeSnapshot({
      cluster,
      ref,
      decide: untilPhase("Succeeded"),
      signal: new AbortController().signal,
      delay: async () => undefined,
    });
    await new Promise((r) => setTimeout(r, 5));
    setPhase(cluster, "Succeeded");
    cluster.compactedBefore = Number.MAX_SAFE_INTEGER;
    cluster.cutWatches();
    cluster.compactedBefore = 0;
    await expect(done).resolves.toBe("Succeeded");
  });

  it("backs off and retries after a transient watch error", async () => {
    const cluster = await withSnapshot();
    const delays: number[] = [];
    const done = observeSnapshot({
      cluster,
      ref,
      decide: untilPhase("Succeeded"),
      signal: new AbortController().signal,
      delay: async (ms) => void delays.push(ms),
    });
    await new Promise((r) => setTimeout(r, 5));
    cluster.cutWatches(new Error("socket hang up"));
    await new Promise((r) => setTimeout(r, 5));
    cluster.cutWatches(new Error("socket hang up"));
    await new Promise((r) => setTimeout(r, 5));
    setPhase(cluster, "Succeeded");
    await expect(done).resolves.toBe("Succeeded");
    expect(delays).toEqual([1000, 2000]);
  });

  it("retries a list that fails while the apiserver restarts (503), then watches", async () => {
    const cluster = await withSnapshot();
    cluster.failWith = { code: 503, verbs: ["list"] };
    const delays: number[] = [];
    const done = observeSnapshot({
      cluster,
      ref,
      decide: untilPhase("Succeeded"),
      signal: new AbortController().signal,
      delay: async (ms) => {
        delays.push(ms);
        cluster.failWith = undefined; // the apiserver is back
      },
    });
    await new Promise((r) => setTimeout(r, 5));
    setPhase(cluster, "Succeeded");
    await expect(done).resolves.toBe("Succeeded");
    expect(delays).toEqual([1000]);
    expect(cluster.calls.filter((c) => c === "list")).toHaveLength(2);
  });

  it("gives up at once on a permanent error such as 403 on watch", async () => {
    const cluster = await withSnapshot();
    cluster.failWith = { code: 403, verbs: ["watch"] };
    await expect(
      observeSnapshot({
        cluster,
        ref,
        decide: untilPhase("Succeeded"),
        signal: new AbortController().signal,
        delay: async () => undefined,
      }),
    ).rejects.toBeInstanceOf(KubeApiError);
  });

  it("stops watching when the signal aborts", async () => {
    const cluster = await withSnapshot();
    const controller = new AbortController();
    const done = observeSnapshot({
      cluster,
      ref,
      decide: untilPhase("Succeeded"),
      signal: controller.signal,
      delay: async () => undefined,
    });
    await new Promise((r) => setTimeout(r, 5));
    controller.abort(new Error("bound passed"));
    await expect(done).rejects.toThrow("bound passed");
    expect(cluster.openWatches()).toBe(0);
  });
});
