/**
 * The order of writes in the ground, told by the cluster itself: watches on a namespace's objects record every
 * event with the object's `resourceVersion`. On this ground that is the revision of the write in its one
 * etcd, a single counter over every object of every kind, so comparing two resourceVersions orders the two
 * writes (Kubernetes asks clients not to rely on that in general; here it is exact). The arrival time of each
 * event is kept for messages.
 */
import type { Admin } from "../ground/fixtures";

/** A watched kind: its API group, version and plural. */
export interface WatchedKind {
  group: string;
  version: string;
  plural: string;
}

/** One watch event as recorded. */
export interface TimelineEvent {
  plural: string;
  type: string;
  name: string;
  /** The write's etcd revision (the object's resourceVersion, as a number). */
  revision: bigint;
  /** When the test saw it (ms since the epoch). */
  at: number;
  object: any;
}

/**
 * Recording watches; `stop()` ends them and returns what they saw, in the order each watch delivered it. A
 * watch that ended on its own leaves an event of type `ENDED`.
 */
export interface Timeline {
  events(): TimelineEvent[];
  stop(): Promise<TimelineEvent[]>;
}

/** The revision of the first event that satisfies `test`, or undefined. */
export function firstRevision(
  events: readonly TimelineEvent[],
  test: (e: TimelineEvent) => boolean,
): bigint | undefined {
  return events.find(test)?.revision;
}

/** Starts one watch per kind in `namespace`, from the current state (nothing after the start is missed). */
export async function startTimeline(a: Admin, namespace: string, kinds: WatchedKind[]): Promise<Timeline> {
  const recorded: TimelineEvent[] = [];
  let stopped = false;
  const aborts: { abort(): void }[] = [];
  const watch = new a.lib.Watch(a.kc);
  for (const kind of kinds) {
    const list = (await a.custom.listNamespacedCustomObject({ ...kind, namespace })) as {
      metadata: { resourceVersion: string };
    };
    const path = `/apis/${kind.group}/${kind.version}/namespaces/${namespace}/${kind.plural}`;
    const controller = await watch.watch(
      path,
      { resourceVersion: list.metadata.resourceVersion, allowWatchBookmarks: false },
      (type: string, object: any) => {
        recorded.push({
          plural: kind.plural,
          type,
          name: object?.metadata?.name ?? "",
          revision: BigInt(object?.metadata?.resourceVersion ?? "0"),
          at: Date.now(),
          object,
        });
      },
      (error: unknown) => {
        // A watch that ends before stop() would miss writes: recorded, so the test can refuse the timeline.
        if (!stopped)
          recorded.push({
            plural: kind.plural,
            type: "ENDED",
            name: String(error),
            revision: 0n,
            at: Date.now(),
            object: {},
          });
      },
    );
    aborts.push(controller);
  }
  return {
    events: () => [...recorded],
    async stop() {
      stopped = true;
      for (const controller of aborts) controller.abort();
      return [...recorded];
    },
  };
}
