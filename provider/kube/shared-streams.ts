/**
 * One list-watch per namespace (and kind and version) in a provider host, serving every wait and delete of
 * that process: each wait observes its one object through an {@link ObjectStream} cut out of the shared
 * namespace informer, instead of opening its own list and watch. 200 snapshots in 4 namespaces hold 4 watches.
 *
 * The informer is client-node's `ListWatch` in production (list, then watch from the list's
 * resourceVersion, reconnect from the last one seen, list again on 410 Gone), started on first use and stopped
 * once no wait has used it for a while. When it fails (the cluster unreachable, a 403), every open stream of
 * the namespace ends with that error, so each wait backs off and retries as it did with its own watch
 * (core/observe.ts), and the first retry starts the informer again.
 */
import type { Listing, ObjectStream, WatchEvent, WatchHandle } from "./cluster";
import type { ObjectMeta } from "./types";

/** Change notices an informer gives, and its failure (after which it must be started again). */
export interface InformerEvents<T> {
  /** An object was added, changed or deleted (also when a list after 410 differs from the cache). */
  change(type: "ADDED" | "MODIFIED" | "DELETED", object: T): void;
  /** The list or the watch failed; the informer has stopped. */
  error(error: unknown): void;
}

/** A namespace informer: what shared streams need of client-node's `ListWatch`. */
export interface NamespaceInformer<T> {
  /** Lists and starts watching; resolves once the cache holds the list (a failure is told to `error`). */
  start(): Promise<void>;
  /** Stops watching. */
  stop(): void;
  /** The cached object by name. */
  get(name: string): T | undefined;
}

/** Makes the informer of one namespace, telling `events` what it sees. */
export type InformerFactory<T> = (namespace: string, events: InformerEvents<T>) => NamespaceInformer<T>;

/** Options of {@link sharedStreams}. */
export interface SharedStreamOptions<T> {
  /** How long an informer nobody uses keeps running (so back-to-back waits share it). */
  lingerMs: number;
  /**
   * Reads one object from the API server (`undefined` on 404). The cache may lag a write just made (the
   * snapshot a create has just posted), so an object missing from it is only believed gone from this read.
   */
  fetch(namespace: string, name: string): Promise<T | undefined>;
}

/**
 * The stream of one object over a namespace's informer. Its `list` takes what the API server answered this
 * process's create of the object with (`created`), when the caller has it.
 */
export interface SharedStream<T> extends ObjectStream<T> {
  list(created?: T): Promise<Listing<T>>;
}

/** One open stream of one object: its events, and how to end it. */
interface Listener<T> {
  onEvent(event: WatchEvent<T>): void;
  close(error: unknown): void;
}

/** The informer of one namespace, who uses it, and its current start. */
interface Entry<T> {
  informer: NamespaceInformer<T>;
  /** Open streams by object name, so an event reaches its object's streams without scanning the others. */
  listeners: Map<string, Set<Listener<T>>>;
  users: number;
  started: Promise<void> | undefined;
  /** Whether the informer has listed and not failed since (its cache follows the namespace). */
  synced: boolean;
  failure: Error | undefined;
  idle: ReturnType<typeof setTimeout> | undefined;
}

/** The resourceVersion a stream reports for an object (`""` when it does not exist). */
const versionOf = (object: { metadata: ObjectMeta } | undefined): string =>
  object?.metadata.resourceVersion ?? "";

/**
 * Streams of single objects over one informer per namespace. Returns `streamOf(namespace, name)`; its `list`
 * answers from the informer's cache once it is synced, its `watch` delivers the object's changes.
 *
 * An object the cache lacks is read from the API server, unless the caller gives the create's answer
 * (`list(created)`) and the informer was already synced when the list was asked: then the object's ADDED
 * event is still on the way, and the answer is as recent as a read would be, so it serves instead (one GET
 * fewer for most creates). An informer that starts for this list lists after the create, so its cache lacking
 * the object means it is gone already: that is still asked of the API server.
 */
export function sharedStreams<T extends { metadata: ObjectMeta }>(
  makeInformer: InformerFactory<T>,
  options: SharedStreamOptions<T>,
): (namespace: string, name: string) => SharedStream<T> {
  const entries = new Map<string, Entry<T>>();

  const entryOf = (namespace: string): Entry<T> => {
    const known = entries.get(namespace);
    if (known) return known;
    const state: Omit<Entry<T>, "informer"> = {
      listeners: new Map(),
      users: 0,
      started: undefined,
      synced: false,
      failure: undefined,
      idle: undefined,
    };
    const events: InformerEvents<T> = {
      change(type, object) {
        for (const l of [...(state.listeners.get(object.metadata.name ?? "") ?? [])])
          l.onEvent({ type, object });
      },
      error(error) {
        state.failure = error instanceof Error ? error : new Error(String(error));
        state.started = undefined;
        state.synced = false;
        for (const named of [...state.listeners.values()]) for (const l of [...named]) l.close(state.failure);
      },
    };
    const entry = Object.assign(state, { informer: makeInformer(namespace, events) });
    entries.set(namespace, entry);
    return entry;
  };

  const acquire = (entry: Entry<T>): void => {
    entry.users++;
    if (entry.idle) clearTimeout(entry.idle);
    entry.idle = undefined;
  };
  const release = (namespace: string, entry: Entry<T>): void => {
    if (--entry.users > 0) return;
    entry.idle = setTimeout(() => {
      if (entry.users > 0) return;
      entry.informer.stop();
      entries.delete(namespace);
    }, options.lingerMs);
    entry.idle.unref();
  };
  const synced = (entry: Entry<T>): Promise<void> => {
    if (!entry.started) {
      entry.failure = undefined;
      const start = entry.informer.start().then(() => {
        if (entry.failure !== undefined) throw entry.failure;
        entry.synced = true;
      });
      start.catch(() => {
        if (entry.started === start) entry.started = undefined;
      });
      entry.started = start;
    }
    return entry.started;
  };

  /** By namespace/name: the resourceVersion of an object a list just read from the API server, the cache behind. */
  const readAhead = new Map<string, string>();
  return (namespace, name) => {
    const key = `${namespace}/${name}`;
    const fetch = () => options.fetch(namespace, name);
    return {
      async list(created?: T): Promise<Listing<T>> {
        const entry = entryOf(namespace);
        acquire(entry);
        try {
          const followedBefore = entry.synced;
          await synced(entry);
          const cached = entry.informer.get(name);
          const answered = followedBefore && entry.synced ? created : undefined;
          const object = cached ?? answered ?? (await fetch());
          if (object && !cached) readAhead.set(key, versionOf(object));
          else readAhead.delete(key);
          return { object, resourceVersion: versionOf(object) };
        } finally {
          release(namespace, entry);
        }
      },
      async watch(fromVersion, onEvent): Promise<WatchHandle> {
        const entry = entryOf(namespace);
        acquire(entry);
        try {
          await synced(entry);
        } catch (error) {
          release(namespace, entry);
          throw error;
        }
        // Just read ahead of the cache: its ADDED event is on the way, the object is not gone.
        const ahead = readAhead.get(key) === fromVersion;
        readAhead.delete(key);
        const confirm = fromVersion !== "" && !ahead ? fetch : undefined;
        return openListener(entry, name, { fromVersion, confirm }, onEvent, () => release(namespace, entry));
      },
    };
  };
}

/**
 * Subscribes to one object's changes. A change the cache took between the caller's list and now is delivered
 * first (the cached object's resourceVersion differs from `fromVersion`), so nothing is missed; an object the
 * caller saw that the cache lacks is read from the API server (`confirm`): a 404 is its deletion.
 */
function openListener<T extends { metadata: ObjectMeta }>(
  entry: Entry<T>,
  name: string,
  from: { fromVersion: string; confirm: (() => Promise<T | undefined>) | undefined },
  onEvent: (event: WatchEvent<T>) => void,
  released: () => void,
): WatchHandle {
  let resolveClosed: (error: unknown) => void = () => undefined;
  const closed = new Promise<unknown>((resolve) => (resolveClosed = resolve));
  let open = true;
  let heard = false;
  const listener: Listener<T> = {
    onEvent: (event) => {
      heard = true;
      if (open) onEvent(event);
    },
    close(error) {
      if (!open) return;
      open = false;
      const named = entry.listeners.get(name);
      named?.delete(listener);
      if (named?.size === 0) entry.listeners.delete(name);
      released();
      resolveClosed(error);
    },
  };
  entry.listeners.set(name, (entry.listeners.get(name) ?? new Set()).add(listener));
  const catchUp = (now: T | undefined): void => {
    if (heard) return;
    const gone = { metadata: { name, resourceVersion: "" } } as T;
    if (!now) listener.onEvent({ type: "DELETED", object: gone });
    else if (versionOf(now) !== from.fromVersion) listener.onEvent({ type: "MODIFIED", object: now });
  };
  const cached = entry.informer.get(name);
  if (cached) queueMicrotask(() => catchUp(cached));
  else if (from.confirm) from.confirm().then(catchUp, (error: unknown) => listener.close(error));
  return { closed, stop: () => listener.close(undefined) };
}
