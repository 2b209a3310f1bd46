/**
 * An in-memory SnapshotCluster for unit tests: objects with resourceVersions, watches that deliver events
 * from a version, finalizer-aware deletion, and hooks to play KubeVirt's part (the `onCreate` reactor).
 */
import { hasStatus, KubeApiError } from "../../provider/core/errors";
import type {
  MetadataPatch,
  PodUsingClaims,
  SnapshotCluster,
  SnapshotListing,
  SnapshotRef,
  SnapshotWatchEvent,
  WatchHandle,
} from "../../provider/kube/cluster";
import type {
  VirtualMachine,
  VirtualMachineInstance,
  VirtualMachineSnapshot,
} from "../../provider/kube/types";
import { podsMountingClaims, type PodView } from "../../provider/kube/pods";

interface Watcher {
  namespace: string;
  name: string;
  onEvent(event: SnapshotWatchEvent): void;
  close(error?: unknown): void;
}

const key = (namespace: string, name: string): string => `${namespace}/${name}`;
const clone = <T>(value: T): T => structuredClone(value);

/** In-memory cluster; every call is recorded in `calls`. */
export class FakeCluster implements SnapshotCluster {
  versions: string[] = ["v1alpha1", "v1beta1"];
  readonly vms = new Map<string, VirtualMachine>();
  readonly vmis = new Map<string, VirtualMachineInstance>();
  readonly snapshots = new Map<string, VirtualMachineSnapshot>();
  readonly calls: string[] = [];
  /** Events kept for watches that start from an older resourceVersion. */
  private readonly history: { rv: number; event: SnapshotWatchEvent; ns: string; name: string }[] = [];
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
    const apply = (target: Record<string, string> = {}, changes: Record<string, string | null>) => {
      for (const [k, v] of Object.entries(changes)) {
        if (v === null) delete target[k];
        else target[k] = v;
      }
      return target;
    };
    s.metadata.labels = apply(s.metadata.labels, patch.labels);
    s.metadata.annotations = apply(s.metadata.annotations, patch.annotations);
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
    let close: (error?: unknown) => void = () => undefined;
    const closed = new Promise<unknown>((resolve) => (close = resolve));
    const watcher: Watcher = { namespace: ref.namespace, name: ref.name, onEvent, close: (e) => close(e) };
    const from = Number(resourceVersion);
    if (from < this.compactedBefore) {
      queueMicrotask(() => onEvent({ type: "ERROR", code: 410, message: "too old resource version" }));
      return { closed, stop: () => close() };
    }
    this.watchers.add(watcher);
    for (const h of this.history) {
      if (h.rv > from && h.ns === ref.namespace && h.name === ref.name)
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
    this.emit(namespace, name, {
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
    this.emit(s.metadata.namespace ?? "", s.metadata.name ?? "", { type, object: clone(s) });
  }
  private emit(ns: string, name: string, event: SnapshotWatchEvent): void {
    this.history.push({ rv: this.rv, event, ns, name });
    for (const w of this.watchers) if (w.namespace === ns && w.name === name) w.onEvent(clone(event));
  }
  private asVersion(s: VirtualMachineSnapshot, version: string): VirtualMachineSnapshot {
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
}
