import { observe } from "../../../provider/core/observe";
import type { WatchEvent } from "../../../provider/kube/cluster";
import {
  sharedStreams,
  type InformerEvents,
  type NamespaceInformer,
} from "../../../provider/kube/shared-streams";

interface Obj {
  metadata: { name: string; resourceVersion: string };
  status?: { phase?: string };
}

/** An informer over an in-memory namespace: the test changes objects and makes starts fail. */
class FakeInformer implements NamespaceInformer<Obj> {
  objects = new Map<string, Obj>();
  starts = 0;
  stops = 0;
  failStart: Error | undefined;
  private version = 0;
  constructor(
    readonly namespace: string,
    readonly events: InformerEvents<Obj>,
  ) {}
  async start(): Promise<void> {
    this.starts++;
    if (this.failStart) this.events.error(this.failStart);
  }
  stop(): void {
    this.stops++;
  }
  get(name: string): Obj | undefined {
    return this.objects.get(name);
  }
  put(name: string, phase: string): void {
    const type = this.objects.has(name) ? "MODIFIED" : "ADDED";
    const object = { metadata: { name, resourceVersion: String(++this.version) }, status: { phase } };
    this.objects.set(name, object);
    this.events.change(type, object);
  }
}

function setup(lingerMs = 60_000) {
  const informers: FakeInformer[] = [];
  /** What the API server holds when it differs from the cache (a write the watch has not delivered yet). */
  const server = new Map<string, Obj | undefined>();
  const fetches: string[] = [];
  const streamOf = sharedStreams<Obj>(
    (namespace, events) => {
      const informer = new FakeInformer(namespace, events);
      informers.push(informer);
      return informer;
    },
    {
      lingerMs,
      fetch: async (namespace, name) => {
        fetches.push(`${namespace}/${name}`);
        const cache = informers.find((i) => i.namespace === namespace)?.objects.get(name);
        return server.has(name) ? server.get(name) : cache;
      },
    },
  );
  return { informers, streamOf, server, fetches };
}

const tick = () => new Promise((r) => setTimeout(r, 1));

describe("sharedStreams", () => {
  it("serves every object of a namespace from one informer, and each namespace from its own", async () => {
    const { informers, streamOf } = setup();
    await streamOf("a", "s1").list();
    await streamOf("a", "s2").list();
    await streamOf("b", "s1").list();
    expect(informers.map((i) => [i.namespace, i.starts])).toEqual([
      ["a", 1],
      ["b", 1],
    ]);
  });

  it("lists from the cache and delivers only the watched object's changes", async () => {
    const { informers, streamOf } = setup();
    await streamOf("a", "warmup").list();
    const informer = informers[0]!;
    informer.put("s1", "InProgress");
    const listing = await streamOf("a", "s1").list();
    expect(listing).toEqual({ object: informer.objects.get("s1"), resourceVersion: "1" });
    const seen: WatchEvent<Obj>[] = [];
    const handle = await streamOf("a", "s1").watch(listing.resourceVersion, (e) => seen.push(e));
    informer.put("s2", "InProgress");
    informer.put("s1", "Succeeded");
    informer.events.change("DELETED", informer.objects.get("s1")!);
    handle.stop();
    informer.put("s1", "Failed");
    expect(seen.map((e) => e.type)).toEqual(["MODIFIED", "DELETED"]);
    await expect(handle.closed).resolves.toBeUndefined();
  });

  it("delivers a change the cache took between the caller's list and its watch", async () => {
    const { informers, streamOf } = setup();
    const listing = await streamOf("a", "s1").list();
    expect(listing).toEqual({ object: undefined, resourceVersion: "" });
    informers[0]!.put("s1", "Succeeded"); // nobody watches yet
    const seen: WatchEvent<Obj>[] = [];
    await streamOf("a", "s1").watch(listing.resourceVersion, (e) => seen.push(e));
    await tick();
    expect(seen).toEqual([{ type: "MODIFIED", object: informers[0]!.objects.get("s1") }]);
  });

  it("reads a just-created object the cache has not seen from the API server, and waits for its event", async () => {
    const { informers, streamOf, server, fetches } = setup();
    await streamOf("a", "warmup").list();
    const created = { metadata: { name: "s1", resourceVersion: "7" }, status: { phase: "" } };
    server.set("s1", created); // posted; the watch has not delivered it yet
    const listing = await streamOf("a", "s1").list();
    expect(listing).toEqual({ object: created, resourceVersion: "7" });
    const seen: WatchEvent<Obj>[] = [];
    await streamOf("a", "s1").watch(listing.resourceVersion, (e) => seen.push(e));
    await tick();
    expect(seen).toEqual([]); // not called deleted for being missing from the cache
    informers[0]!.put("s1", "InProgress");
    expect(seen).toEqual([{ type: "ADDED", object: informers[0]!.objects.get("s1") }]);
    expect(fetches).toEqual(["a/warmup", "a/s1"]);
  });

  it("answers a list with the create's answer when its synced cache has not seen the object yet: no read", async () => {
    const { informers, streamOf, server, fetches } = setup();
    await streamOf("a", "warmup").list();
    const created = { metadata: { name: "s1", resourceVersion: "7" }, status: { phase: "" } };
    server.set("s1", { ...created, status: { phase: "InProgress" } }); // a read would see this
    const listing = await streamOf("a", "s1").list(created);
    expect(listing).toEqual({ object: created, resourceVersion: "7" });
    const seen: WatchEvent<Obj>[] = [];
    await streamOf("a", "s1").watch(listing.resourceVersion, (e) => seen.push(e));
    await tick();
    expect(seen).toEqual([]); // not called deleted for being missing from the cache
    informers[0]!.put("s1", "InProgress");
    expect(seen).toEqual([{ type: "ADDED", object: informers[0]!.objects.get("s1") }]);
    expect(fetches).toEqual(["a/warmup"]);
  });

  it("prefers the cache to the create's answer, and so does the watch after it", async () => {
    const { informers, streamOf, fetches } = setup();
    await streamOf("a", "warmup").list();
    const created = { metadata: { name: "s1", resourceVersion: "1" }, status: { phase: "" } };
    informers[0]!.put("s1", "");
    informers[0]!.put("s1", "InProgress"); // the cache is ahead of the answer
    const listing = await streamOf("a", "s1").list(created);
    expect(listing).toEqual({ object: informers[0]!.objects.get("s1"), resourceVersion: "2" });
    expect(fetches).toEqual(["a/warmup"]);
  });

  it("reads from the API server, not the create's answer, when the informer starts for this list", async () => {
    const { streamOf, server, fetches } = setup();
    const created = { metadata: { name: "s1", resourceVersion: "7" }, status: { phase: "" } };
    // The informer lists after the create: its cache lacking the object means it may be gone already.
    server.set("s1", undefined);
    await expect(streamOf("a", "s1").list(created)).resolves.toEqual({
      object: undefined,
      resourceVersion: "",
    });
    expect(fetches).toEqual(["a/s1"]);
  });

  it("reads from the API server, not the create's answer, while the informer is failed", async () => {
    const { informers, streamOf, server, fetches } = setup();
    await streamOf("a", "warmup").list();
    informers[0]!.events.error(new Error("socket hang up")); // started again by the next list
    const created = { metadata: { name: "s1", resourceVersion: "7" }, status: { phase: "" } };
    server.set("s1", undefined);
    await expect(streamOf("a", "s1").list(created)).resolves.toEqual({
      object: undefined,
      resourceVersion: "",
    });
    expect(fetches).toEqual(["a/warmup", "a/s1"]);
  });

  it("asks the API server when an object the caller saw has left the cache: a 404 is its deletion", async () => {
    const { informers, streamOf, server } = setup();
    await streamOf("a", "warmup").list();
    informers[0]!.put("s1", "Succeeded");
    const listing = await streamOf("a", "s1").list();
    informers[0]!.objects.delete("s1"); // deleted between the list and the watch
    server.set("s1", undefined);
    const seen: WatchEvent<Obj>[] = [];
    await streamOf("a", "s1").watch(listing.resourceVersion, (e) => seen.push(e));
    await tick();
    expect(seen.map((e) => e.type)).toEqual(["DELETED"]);
  });

  it("ends every open stream of the namespace with the informer's error, and starts it again on the next use", async () => {
    const { informers, streamOf } = setup();
    const h1 = await streamOf("a", "s1").watch("", () => undefined);
    const h2 = await streamOf("a", "s2").watch("", () => undefined);
    const lost = new Error("connect ECONNREFUSED");
    informers[0]!.events.error(lost);
    await expect(h1.closed).resolves.toBe(lost);
    await expect(h2.closed).resolves.toBe(lost);
    informers[0]!.failStart = lost;
    await expect(streamOf("a", "s1").list()).rejects.toBe(lost);
    informers[0]!.failStart = undefined;
    await expect(streamOf("a", "s1").list()).resolves.toEqual({ object: undefined, resourceVersion: "" });
    expect(informers).toHaveLength(1);
    expect(informers[0]!.starts).toBe(3);
  });

  it("stops an informer nobody has used for lingerMs, never one with an open watch", async () => {
    const { informers, streamOf } = setup(5);
    const handle = await streamOf("a", "s1").watch("", () => undefined);
    await new Promise((r) => setTimeout(r, 20));
    expect(informers[0]!.stops).toBe(0);
    handle.stop();
    await new Promise((r) => setTimeout(r, 20));
    expect(informers[0]!.stops).toBe(1);
    await streamOf("a", "s1").list(); // a new informer for the next wait
    expect(informers).toHaveLength(2);
  });

  it("carries a wait (core/observe) through an informer failure to the object's final phase", async () => {
    const { informers, streamOf } = setup();
    const reconnects: string[] = [];
    const waiting = observe<string, Obj>({
      stream: streamOf("a", "s1"),
      decide: (o) => (o?.status?.phase === "Succeeded" ? { done: true, value: "ok" } : { done: false }),
      boundMs: 60_000,
      timer: () => new AbortController().signal,
      delay: async () => undefined,
      progress: { observe: () => undefined, flush: () => undefined },
      onReconnect: (why) => reconnects.push(why),
    });
    await tick();
    const informer = informers[0]!;
    informer.put("s1", "InProgress");
    informer.events.error(new Error("socket hang up"));
    informer.put("s1", "Succeeded"); // while the wait is between watches: delivered when it watches again
    await expect(waiting).resolves.toMatchObject({ value: "ok" });
    expect(reconnects).toEqual([expect.stringMatching(/^watch error: socket hang up/)]);
    expect(informer.starts).toBe(2);
  });
});
