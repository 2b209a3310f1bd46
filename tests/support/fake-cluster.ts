/**
 * An in-memory RestoreCluster (snapshots and restores) for unit tests: objects with resourceVersions, watches
 * that deliver events from a version, finalizer-aware deletion, KubeVirt's restore admission (the Snapshot
 * gate, one incomplete restore per target) and hooks to play KubeVirt's part (the `onCreate` and
 * `onRestoreCreate` reactors).
 */
import { hasStatus, KubeApiError } from "../../provider/core/errors";
import type {
  Listing,
  MetadataPatch,
  PodUsingClaims,
  RestoreCluster,
  RestoreRef,
  SnapshotListing,
  SnapshotRef,
  SnapshotWatchEvent,
  WatchEvent,
  WatchHandle,
} from "../../provider/kube/cluster";
import type {
  ObjectMeta,
  VirtualMachine,
  VirtualMachineInstance,
  VirtualMachineRestore,
  VirtualMachineSnapshot,
} from "../../provider/kube/types";
import { podsMountingClaims, type PodView } from "../../provider/kube/pods";

/** The kinds of object the fake stores and watches. */
type Kind = "snapshot" | "restore";

interface Watcher {
  kind: Kind;
  namespace: string;
  name: string;
  onEvent(event: WatchEvent<unknown>): void;
  close(error?: unknown): void;
}

/** The webhook that judges restore creates (KubeVirt's name for it). */
export const RESTORE_WEBHOOK = "virtualmachinerestore-validator.snapshot.kubevirt.io";

const key = (namespace: string, name: string): string => `${namespace}/${name}`;
const clone = <T>(value: T): T => structuredClone(value);

/** Applies one side of a metadata merge patch (`null` removes a key). */
function applyPatch(
  target: ObjectMeta["labels"] = {},
  changes: Record<string, string | null>,
): Record<string, string> {
  for (const [k, v] of Object.entries(changes)) {
    if (v === null) delete target[k];
    else target[k] = v;
  }
  return target;
}

/** In-memory cluster; every call is recorded in `calls`. */
export class FakeCluster implements RestoreCluster {
  versions: string[] = ["v1alpha1", "v1beta1"];
  readonly vms = new Map<string, VirtualMachine>();
  readonly vmis = new Map<string, VirtualMachineInstance>();
  readonly snapshots = new Map<string, VirtualMachineSnapshot>();
  readonly calls: string[] = [];
  /** Events kept for watches that start from an older resourceVersion. */
  private readonly history: {
    rv: number;
    event: WatchEvent<unknown>;
    kind: Kind;
    ns: string;
    name: string;
  }[] = [];
  private readonly watchers = new Set<Watcher>();
  private rv = 100;
  /** Called after a snapshot is created (plays KubeVirt). */
  onCreate: ((snapshot: VirtualMachineSnapshot) => void) | undefined;
  /** Called after a delete request marked a snapshot with finalizers as deleting (plays KubeVirt). */
  onDelete: ((snapshot: VirtualMachineSnapshot) => void) | undefined;
  /** When set, createSnapshot fails like KubeVirt's webhook with the gate off. */
  featureGateOff = false;
  /** When set, every call fails with this HTTP status (e.g. 403). */
  failWith: { code: number; verbs: string[] } | undefined;
  /** Resource versions older than this are "too old" (410 Gone) for watches. */
  compactedBefore = 0;

  addVm(vm: VirtualMachine, vmi?: VirtualMachineInstance): void {
    const ns = vm.metadata.namespace ?? "";
    this.vms.set(key(ns, vm.metadata.name ?? ""), vm);
    if (vmi) this.vmis.set(key(ns, vm.metadata.name ?? ""), vmi);
  }

  private guard(verb: string): void {
    this.calls.push(verb);
    if (this.failWith?.verbs.includes(verb)) {
      throw new KubeApiError(
        `cannot ${verb}: HTTP ${this.failWith.code}`,
        this.failWith.code,
        "Forbidden",
        "forbidden",
      );
    }
  }

  async servedSnapshotVersions(): Promise<string[]> {
    this.guard("discover");
    return [...this.versions];
  }
  async getVirtualMachine(namespace: string, name: string): Promise<VirtualMachine | undefined> {
    this.guard("get-vm");
    const vm = this.vms.get(key(namespace, name));
    return vm && clone(vm);
  }
  async getVirtualMachineInstance(
    namespace: string,
    name: string,
  ): Promise<VirtualMachineInstance | undefined> {
    this.guard("get-vmi");
    const vmi = this.vmis.get(key(namespace, name));
    return vmi && clone(vmi);
  }
  async getSnapshot(ref: SnapshotRef): Promise<VirtualMachineSnapshot | undefined> {
    this.guard("get");
    const s = this.snapshots.get(key(ref.namespace, ref.name));
    return s && this.asVersion(s, ref.version);
  }
  async createSnapshot(version: string, body: VirtualMachineSnapshot): Promise<VirtualMachineSnapshot> {
    this.guard("create");
    if (this.featureGateOff) {
      throw new KubeApiError(
        'cannot create: HTTP 400: admission webhook "virtualmachinesnapshot-validator.snapshot.kubevirt.io" denied the request: snapshot feature gate not enabled',
        400,
        "BadRequest",
        "snapshot feature gate not enabled",
      );
    }
    const ns = body.metadata.namespace ?? "";
    const name = body.metadata.name ?? "";
    if (this.snapshots.has(key(ns, name))) {
      throw new KubeApiError(`cannot create: HTTP 409 AlreadyExists`, 409, "AlreadyExists", "already exists");
    }
    const stored: VirtualMachineSnapshot = clone(body);
    stored.metadata.uid = `uid-${name}`;
    stored.metadata.creationTimestamp = new Date().toISOString();
    this.store(stored, "ADDED");
    queueMicrotask(() => this.onCreate?.(clone(stored)));
    return this.asVersion(stored, version);
  }
  async patchSnapshotMetadata(ref: SnapshotRef, patch: MetadataPatch): Promise<VirtualMachineSnapshot> {
    this.guard("patch");
    const s = this.snapshots.get(key(ref.namespace, ref.name));
    if (!s) throw new KubeApiError("not found", 404, "NotFound", "not found");
    s.metadata.labels = applyPatch(s.metadata.labels, patch.labels);
    s.metadata.annotations = applyPatch(s.metadata.annotations, patch.annotations);
    this.store(s, "MODIFIED");
    return this.asVersion(s, ref.version);
  }
  async deleteSnapshot(ref: SnapshotRef): Promise<boolean> {
    this.guard("delete");
    const s = this.snapshots.get(key(ref.namespace, ref.name));
    if (!s) return false;
    if (s.metadata.finalizers?.length) {
      s.metadata.deletionTimestamp ??= new Date().toISOString();
      this.store(s, "MODIFIED");
      const marked = clone(s);
      queueMicrotask(() => this.onDelete?.(marked));
    } else {
      this.remove(ref.namespace, ref.name);
    }
    return true;
  }
  async listSnapshotsByLabel(
    version: string,
    namespace: string,
    labelSelector: string,
  ): Promise<VirtualMachineSnapshot[]> {
    this.guard("list-selector");
    const wanted = labelSelector.split(",").map((term) => term.split("="));
    return [...this.snapshots.values()]
      .filter((s) => s.metadata.namespace === namespace)
      .filter((s) => wanted.every(([k = "", v]) => s.metadata.labels?.[k] === v))
      .map((s) => this.asVersion(s, version));
  }
  async listSnapshot(ref: SnapshotRef): Promise<SnapshotListing> {
    this.guard("list");
    const s = this.snapshots.get(key(ref.namespace, ref.name));
    return { object: s && this.asVersion(s, ref.version), resourceVersion: String(this.rv) };
  }
  async watchSnapshot(
    ref: SnapshotRef,
    resourceVersion: string,
    onEvent: (event: SnapshotWatchEvent) => void,
  ): Promise<WatchHandle> {
    this.guard("watch");
    return this.watch("snapshot", ref, resourceVersion, onEvent as (event: WatchEvent<unknown>) => void);
  }

  private watch(
    kind: Kind,
    ref: SnapshotRef,
    resourceVersion: string,
    onEvent: (event: WatchEvent<unknown>) => void,
  ): WatchHandle {
    let close: (error?: unknown) => void = () => undefined;
    const closed = new Promise<unknown>((resolve) => (close = resolve));
    const watcher: Watcher = {
      kind,
      namespace: ref.namespace,
      name: ref.name,
      onEvent,
      close: (e) => close(e),
    };
    const from = Number(resourceVersion);
    if (from < this.compactedBefore) {
      queueMicrotask(() => onEvent({ type: "ERROR", code: 410, message: "too old resource version" }));
      return { closed, stop: () => close() };
    }
    this.watchers.add(watcher);
    for (const h of this.history) {
      if (h.rv > from && h.kind === kind && h.ns === ref.namespace && h.name === ref.name)
        queueMicrotask(() => onEvent(h.event));
    }
    return {
      closed,
      stop: () => {
        this.watchers.delete(watcher);
        close();
      },
    };
  }

  // --- helpers tests use to play KubeVirt and the network ---

  /** Changes a stored snapshot and emits MODIFIED. */
  update(namespace: string, name: string, mutate: (s: VirtualMachineSnapshot) => void): void {
    const s = this.snapshots.get(key(namespace, name));
    if (!s) return;
    mutate(s);
    if (s.metadata.deletionTimestamp && !s.metadata.finalizers?.length) this.remove(namespace, name);
    else this.store(s, "MODIFIED");
  }
  /** Removes a snapshot and emits DELETED. */
  remove(namespace: string, name: string): void {
    const s = this.snapshots.get(key(namespace, name));
    if (!s) return;
    this.snapshots.delete(key(namespace, name));
    this.emit("snapshot", namespace, name, {
      type: "DELETED",
      object: clone({ ...s, metadata: { ...s.metadata, resourceVersion: String(++this.rv) } }),
    });
  }
  /** Ends every open watch, as an apiserver timeout or a network cut would. */
  cutWatches(error?: unknown): void {
    for (const w of [...this.watchers]) {
      this.watchers.delete(w);
      w.close(error);
    }
  }
  /** Number of watches currently open. */
  openWatches(): number {
    return this.watchers.size;
  }

  private store(s: VirtualMachineSnapshot, type: "ADDED" | "MODIFIED"): void {
    s.metadata.resourceVersion = String(++this.rv);
    this.snapshots.set(key(s.metadata.namespace ?? "", s.metadata.name ?? ""), s);
    this.emit("snapshot", s.metadata.namespace ?? "", s.metadata.name ?? "", { type, object: clone(s) });
  }
  private emit(kind: Kind, ns: string, name: string, event: WatchEvent<unknown>): void {
    this.history.push({ rv: this.rv, event, kind, ns, name });
    for (const w of this.watchers)
      if (w.kind === kind && w.namespace === ns && w.name === name) w.onEvent(clone(event));
  }
  private asVersion<T extends { apiVersion?: string }>(s: T, version: string): T {
    return { ...clone(s), apiVersion: `snapshot.kubevirt.io/${version}` };
  }

  /** Pods (only what listPodsUsingClaims reads), with their namespace. */
  readonly pods: { namespace: string; pod: PodView }[] = [];
  /** Adds a pod in `phase` whose volumes mount `claimNames`. */
  addPod(namespace: string, name: string, phase: string, claimNames: string[]): void {
    const volumes = claimNames.map((claimName, i) => ({
      name: `v${i}`,
      persistentVolumeClaim: { claimName },
    }));
    this.pods.push({ namespace, pod: { metadata: { name }, spec: { volumes }, status: { phase } } });
  }
  /** The KubeVirt version a test sets (the KubeVirt CR's observedKubeVirtVersion); undefined = unreadable. */
  kubevirtVersion: string | undefined;

  async kubeVirtVersion(): Promise<string | undefined> {
    this.guard("get-kubevirt");
    return this.kubevirtVersion;
  }

  /** Like the real cluster: `undefined` when listing pods is forbidden (`failWith` 403 on "list-pods"). */
  async listPodsUsingClaims(namespace: string, claims: string[]): Promise<PodUsingClaims[] | undefined> {
    try {
      this.guard("list-pods");
    } catch (error) {
      if (hasStatus(error, 403)) return undefined;
      throw error;
    }
    const inNamespace = this.pods.filter((p) => p.namespace === namespace).map((p) => clone(p.pod));
    return podsMountingClaims(inNamespace, claims);
  }

  // --- restores (snapshot.kubevirt.io VirtualMachineRestore) ---

  readonly restores = new Map<string, VirtualMachineRestore>();
  /** Called after a restore is created (plays KubeVirt's restore controller). */
  onRestoreCreate: ((restore: VirtualMachineRestore) => void) | undefined;
  /** Called after a metadata patch of a restore (an update event: KubeVirt reconciles the restore). */
  onRestorePatch: ((restore: VirtualMachineRestore) => void) | undefined;
  /** Called after a delete request marked a restore with finalizers as deleting (plays KubeVirt). */
  onRestoreDelete: ((restore: VirtualMachineRestore) => void) | undefined;
  /** When set, createRestore fails like KubeVirt's restore webhook with the Snapshot gate off. */
  restoreGateOff = false;
  /**
   * For how many restore creates KubeVirt's webhook still counts a restore after it was removed (its informer
   * lags a deletion); 0 = it sees every removal at once.
   */
  webhookLag = 0;
  /** Removed restores the webhook still counts, each for `creates` more create requests. */
  private readonly webhookStale: { restore: VirtualMachineRestore; creates: number }[] = [];

  async getRestore(ref: RestoreRef): Promise<VirtualMachineRestore | undefined> {
    this.guard("get-restore");
    const r = this.restores.get(key(ref.namespace, ref.name));
    return r && this.asVersion(r, ref.version);
  }
  /**
   * Creates a restore as the apiserver with KubeVirt's webhook does: the webhook judges first (the gate, then
   * every restore of the same target whose `status.complete` is not true, this name included), then the
   * apiserver answers 409 for an existing name.
   */
  async createRestore(version: string, body: VirtualMachineRestore): Promise<VirtualMachineRestore> {
    this.guard("create-restore");
    const ns = body.metadata.namespace ?? "";
    const name = body.metadata.name ?? "";
    const action = `cannot create virtualmachinerestores.snapshot.kubevirt.io "${name}" in namespace "${ns}"`;
    const denied = (message: string) =>
      `admission webhook "${RESTORE_WEBHOOK}" denied the request: ${message}`;
    const seen = this.webhookView();
    if (this.restoreGateOff) {
      const message = denied("Snapshot/Restore feature gate not enabled");
      throw new KubeApiError(`${action}: HTTP 400: ${message}.`, 400, "", message);
    }
    const causes = seen
      .filter((r) => r.metadata.namespace === ns)
      .filter((r) => JSON.stringify(r.spec.target) === JSON.stringify(body.spec.target))
      .filter((r) => r.status?.complete !== true)
      .map((r) => `VirtualMachineRestore "${r.metadata.name ?? ""}" in progress`);
    if (causes.length) {
      const message = denied(causes.join(", "));
      throw new KubeApiError(`${action}: HTTP 422 Invalid: ${message}.`, 422, "Invalid", message);
    }
    if (this.restores.has(key(ns, name))) {
      throw new KubeApiError(`${action}: HTTP 409 AlreadyExists`, 409, "AlreadyExists", "already exists");
    }
    const stored: VirtualMachineRestore = clone(body);
    stored.metadata.uid = `uid-${name}`;
    stored.metadata.creationTimestamp = new Date().toISOString();
    this.storeRestore(stored, "ADDED");
    queueMicrotask(() => this.onRestoreCreate?.(clone(stored)));
    return this.asVersion(stored, version);
  }
  async patchRestoreMetadata(ref: RestoreRef, patch: MetadataPatch): Promise<VirtualMachineRestore> {
    this.guard("patch-restore");
    const r = this.restores.get(key(ref.namespace, ref.name));
    if (!r) throw new KubeApiError("not found", 404, "NotFound", "not found");
    r.metadata.labels = applyPatch(r.metadata.labels, patch.labels);
    r.metadata.annotations = applyPatch(r.metadata.annotations, patch.annotations);
    this.storeRestore(r, "MODIFIED");
    const patched = clone(r);
    queueMicrotask(() => this.onRestorePatch?.(patched));
    return this.asVersion(r, ref.version);
  }
  async deleteRestore(ref: RestoreRef): Promise<boolean> {
    this.guard("delete-restore");
    const r = this.restores.get(key(ref.namespace, ref.name));
    if (!r) return false;
    if (r.metadata.finalizers?.length) {
      r.metadata.deletionTimestamp ??= new Date().toISOString();
      this.storeRestore(r, "MODIFIED");
      const marked = clone(r);
      queueMicrotask(() => this.onRestoreDelete?.(marked));
    } else {
      this.removeRestore(ref.namespace, ref.name);
    }
    return true;
  }
  async listRestore(ref: RestoreRef): Promise<Listing<VirtualMachineRestore>> {
    this.guard("list-restore");
    const r = this.restores.get(key(ref.namespace, ref.name));
    return { object: r && this.asVersion(r, ref.version), resourceVersion: String(this.rv) };
  }
  async watchRestore(
    ref: RestoreRef,
    resourceVersion: string,
    onEvent: (event: WatchEvent<VirtualMachineRestore>) => void,
  ): Promise<WatchHandle> {
    this.guard("watch-restore");
    return this.watch("restore", ref, resourceVersion, onEvent as (event: WatchEvent<unknown>) => void);
  }

  /** Changes a stored restore and emits MODIFIED (or DELETED once a deleting restore has no finalizer). */
  updateRestore(namespace: string, name: string, mutate: (r: VirtualMachineRestore) => void): void {
    const r = this.restores.get(key(namespace, name));
    if (!r) return;
    mutate(r);
    if (r.metadata.deletionTimestamp && !r.metadata.finalizers?.length) this.removeRestore(namespace, name);
    else this.storeRestore(r, "MODIFIED");
  }
  /** Removes a restore and emits DELETED (KubeVirt's webhook may go on counting it: `webhookLag`). */
  removeRestore(namespace: string, name: string): void {
    const r = this.restores.get(key(namespace, name));
    if (!r) return;
    this.restores.delete(key(namespace, name));
    if (this.webhookLag > 0) this.webhookStale.push({ restore: clone(r), creates: this.webhookLag });
    this.emit("restore", namespace, name, {
      type: "DELETED",
      object: clone({ ...r, metadata: { ...r.metadata, resourceVersion: String(++this.rv) } }),
    });
  }
  /** Puts a restore in place as if made by someone else (kubectl, another stack), with no reactor run. */
  seedRestore(restore: VirtualMachineRestore): void {
    const stored = clone(restore);
    stored.metadata.uid ??= `uid-${stored.metadata.name ?? ""}`;
    stored.metadata.creationTimestamp ??= new Date().toISOString();
    this.storeRestore(stored, "ADDED");
  }

  /** The restores KubeVirt's webhook judges a create by: the live ones and the removals it has not seen yet. */
  private webhookView(): VirtualMachineRestore[] {
    const live = [...this.restores.values()];
    const stale = this.webhookStale.map((s) => s.restore);
    for (const s of this.webhookStale) s.creates--;
    this.webhookStale.splice(0, this.webhookStale.length, ...this.webhookStale.filter((s) => s.creates > 0));
    return [...live, ...stale];
  }
  private storeRestore(r: VirtualMachineRestore, type: "ADDED" | "MODIFIED"): void {
    r.metadata.resourceVersion = String(++this.rv);
    this.restores.set(key(r.metadata.namespace ?? "", r.metadata.name ?? ""), r);
    this.emit("restore", r.metadata.namespace ?? "", r.metadata.name ?? "", { type, object: clone(r) });
  }
}
