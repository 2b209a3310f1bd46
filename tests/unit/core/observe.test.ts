import { KubeApiError } from "../../../provider/core/errors";
import { observe, type ObserveOptions } from "../../../provider/core/observe";
import type { VirtualMachineSnapshot } from "../../../provider/kube/types";
import { snapshotStream } from "../../../provider/kube/streams";
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

/** Observes snapshot s1 until its phase is Succeeded; no bound unless a timer is given, progress ignored. */
const observeS1 = (
  cluster: FakeCluster,
  options: Partial<ObserveOptions<string, VirtualMachineSnapshot>> = {},
) =>
  observe<string, VirtualMachineSnapshot>({
    stream: snapshotStream(cluster, ref),
    decide: untilPhase("Succeeded"),
    boundMs: 60_000,
    timer: () => new AbortController().signal,
    progress: { observe: () => undefined, flush: () => undefined },
    delay: async () => undefined,
    ...options,
  });

describe("observe", () => {
  it("decides on the listed object without watching when it is already final", async () => {
    const cluster = await withSnapshot();
    setPhase(cluster, "Succeeded");
    const { value } = await observeS1(cluster);
    expect(value).toBe("Succeeded");
    expect(cluster.calls.filter((c) => c === "watch")).toEqual([]);
  });

  it("reconnects from the last resourceVersion when the watch is cut, without missing events", async () => {
    const cluster = await withSnapshot();
    const reconnects: string[] = [];
    const done = observeS1(cluster, { onReconnect: (w) => reconnects.push(w) }).then((o) => o.value);
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
    const done = observeS1(cluster).then((o) => o.value);
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
    const done = observeS1(cluster, { delay: async (ms) => void delays.push(ms) }).then((o) => o.value);
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
    const done = observeS1(cluster, {
      delay: async (ms) => {
        delays.push(ms);
        cluster.failWith = undefined; // the apiserver is back
      },
    }).then((o) => o.value);
    await new Promise((r) => setTimeout(r, 5));
    setPhase(cluster, "Succeeded");
    await expect(done).resolves.toBe("Succeeded");
    expect(delays).toEqual([1000]);
    expect(cluster.calls.filter((c) => c === "list")).toHaveLength(2);
  });

  it("gives up at once on a permanent error such as 403 on watch", async () => {
    const cluster = await withSnapshot();
    cluster.failWith = { code: 403, verbs: ["watch"] };
    await expect(observeS1(cluster)).rejects.toBeInstanceOf(KubeApiError);
  });

  it("stops watching when the bound passes, with no value and the last object seen", async () => {
    const cluster = await withSnapshot();
    const controller = new AbortController();
    const bounds: number[] = [];
    const done = observeS1(cluster, {
      boundMs: 1234,
      timer: (ms) => {
        bounds.push(ms);
        return controller.signal;
      },
    });
    await new Promise((r) => setTimeout(r, 5));
    setPhase(cluster, "InProgress");
    await new Promise((r) => setTimeout(r, 5));
    controller.abort(new Error("bound passed"));
    const { value, last } = await done;
    expect(value).toBeUndefined();
    expect(last?.status?.phase).toBe("InProgress");
    expect(bounds).toEqual([1234]);
    expect(cluster.openWatches()).toBe(0);
  });

  it("says the cluster was unreachable when the bound passes after failed reconnects with no answer since", async () => {
    const cluster = await withSnapshot();
    const controller = new AbortController();
    let waits = 0;
    const done = observeS1(cluster, {
      timer: () => controller.signal,
      delay: async () => {
        if (++waits === 2) controller.abort(new Error("bound passed"));
        await new Promise((r) => setTimeout(r, 1));
      },
    });
    await new Promise((r) => setTimeout(r, 5));
    cluster.failWith = { code: 503, verbs: ["list", "watch"] };
    cluster.cutWatches(new Error("connect ECONNREFUSED 127.0.0.1:6443"));
    const { value, unreachable } = await done;
    expect(value).toBeUndefined();
    expect(unreachable).toMatch(/ECONNREFUSED|503/);
  });

  it("does not call the cluster unreachable once an observation came after an error", async () => {
    const cluster = await withSnapshot();
    const controller = new AbortController();
    const done = observeS1(cluster, { timer: () => controller.signal });
    await new Promise((r) => setTimeout(r, 5));
    cluster.cutWatches(new Error("socket hang up"));
    await new Promise((r) => setTimeout(r, 5));
    setPhase(cluster, "InProgress");
    await new Promise((r) => setTimeout(r, 5));
    controller.abort(new Error("bound passed"));
    const { unreachable, last } = await done;
    expect(unreachable).toBeUndefined();
    expect(last?.status?.phase).toBe("InProgress");
  });

  it("reports every observation as progress, the deletion as undefined, and flushes once at the end", async () => {
    const cluster = await withSnapshot();
    const seen: (string | undefined)[] = [];
    let flushes = 0;
    const done = observe<true, VirtualMachineSnapshot>({
      stream: snapshotStream(cluster, ref),
      decide: (o) => (o ? { done: false } : { done: true, value: true }),
      boundMs: 60_000,
      timer: () => new AbortController().signal,
      delay: async () => undefined,
      progress: {
        observe: (o) => seen.push(o ? (o.status?.phase ?? "") : undefined),
        flush: () => {
          flushes++;
        },
      },
    });
    await new Promise((r) => setTimeout(r, 5));
    setPhase(cluster, "InProgress");
    cluster.remove("prod", "s1");
    const { value, last } = await done;
    expect(value).toBe(true);
    expect(seen).toEqual(["", "InProgress", undefined]);
    expect(last?.status?.phase).toBe("InProgress");
    expect(flushes).toBe(1);
  });
});
