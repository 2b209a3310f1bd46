/**
 * client-node's `ListWatch` as the namespace informer of shared streams (shared-streams.ts): it lists, watches
 * from the list's resourceVersion, reconnects from the last version seen, and lists again on 410 Gone.
 */
import type * as k8s from "@kubernetes/client-node" with { "resolution-mode": "import" };
import { isProviderError } from "../core/errors";
import { toKubeApiError, type ApiAction } from "./api-errors";
import type { InformerFactory } from "./shared-streams";

/** Where one kind's informers list and watch, and how their failures are named. */
export interface ListWatchTarget {
  /** `/apis/<group>/<version>/namespaces/<namespace>/<plural>` for a namespace. */
  path(namespace: string): string;
  /** Lists the kind in a namespace (through the cluster's call wrapper: errors named, 429 retried). */
  list(namespace: string): Promise<{ items: unknown[]; metadata?: { resourceVersion?: string } }>;
  /** The watch action, for error messages. */
  action(namespace: string): ApiAction;
  /** The API server, for error messages. */
  server: string;
}

/** Informers of one kind over client-node's `ListWatch`, one per namespace, started by shared streams. */
export function listWatchInformers<T>(
  lib: typeof k8s,
  kc: k8s.KubeConfig,
  target: ListWatchTarget,
): InformerFactory<T> {
  return (namespace, events) => {
    type Item = k8s.KubernetesObject;
    const list = () => target.list(namespace) as Promise<k8s.KubernetesListObject<Item>>;
    const informer = new lib.ListWatch<Item>(target.path(namespace), new lib.Watch(kc), list, false);
    informer.on("add", (o) => events.change("ADDED", o as T));
    informer.on("update", (o) => events.change("MODIFIED", o as T));
    informer.on("delete", (o) => events.change("DELETED", o as T));
    informer.on("error", (error: unknown) =>
      events.error(
        isProviderError(error) ? error : toKubeApiError(error, target.action(namespace), target.server),
      ),
    );
    return {
      start: () => informer.start(),
      stop: () => void informer.stop(),
      get: (name) => informer.get(name, namespace) as T | undefined,
    };
  };
}
