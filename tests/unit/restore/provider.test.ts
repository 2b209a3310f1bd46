/**
 * The VMRestore provider's methods (check → create → read → diff → delete) against the in-memory cluster,
 * with this file playing KubeVirt's restore controller: it writes the restore's status as KubeVirt v1.7+ does
 * (docs/kubevirt-semantics.md §11: finalizer, Progressing/Ready reasons, `restores[]`, `complete`, and a
 * Failure only for target readiness), judged from the target's VMI and `targetReadinessPolicy`. KubeVirt's
 * admission (the Snapshot gate, one incomplete restore per target) is the fake cluster's.
 */
import { createVmRestoreProvider } from "../../../provider/index";
import type { VirtualMachineRestore, VirtualMachineSnapshot } from "../../../provider/kube/types";
import { FakeCluster } from "../../support/fake-cluster";
import { vmFixture } from "../../support/kubevirt-script";
import { testDeps } from "../../support/test-deps";

const NS = "prod";
const NAME = "rollback-abc1234";
const ID = `${NS}/${NAME}`;
const OWNER = "proj/dev/rollback";
const PROVIDER = "exports.handler = () => ({});";
const FINALIZER = "snapshot.kubevirt.io/vmrestore-protection";
const GRACE_MS = 5 * 60_000;

/** KubeVirt's texts (v1.7.0 and later, docs/kubevirt-semantics.md §11). */
const TEXT = {
  initializing: "Initializing VirtualMachineRestore",
  creatingPvcs: "Creating new PVCs",
  waitingPvcs: "Waiting for new PVCs",
  updatingSpec: "Updating target spec",
  complete: "Operation complete",
  waitGrace:
    "Waiting for target VM to be powered off. Please stop the restore target to proceed with restore, or the operation will fail after 5m0s",
  waitEventually:
    "Waiting for target VM to be powered off. Please stop the restore target to proceed with restore",
  stopping: "Automatically stopping restore target for restore operation",
  failImmediate: "Restore target VMI must be powered off before restore operation",
  graceExceeded:
    "Restore target failed to be ready within 5m0s. Please power off the target VM before attempting restore",
};
/** KubeVirt v1.5.2's FailImmediate texts. */
const V15 = { failImmediate: "Restore target not ready", failed: "Operation failed" };

const FIX_STOP =
  'The target VM must be stopped for a restore. Fix: stop it (virtctl stop db-1 -n prod) and run pulumi up again, or set targetReadinessPolicy to "StopTarget" to let KubeVirt stop it.';
const NEXT =
  "It is kept in the stack's state; the next `pulumi up` deletes it and runs the restore again. Inspect it with: kubectl get vmrestore rollback-abc1234 -n prod -o yaml";

const condition = (type: string, status: string, reason: string) => ({ type, status, reason });
const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 1));
const key = (name: string) => `${NS}/${name}`;

/** Plays KubeVirt's restore controller against the fake cluster. */
class KubeVirtRestores {
  /** Shifts KubeVirt's clock (it judges the 5m grace from the restore's creationTimestamp). */
  offsetMs = 0;

  constructor(
    private readonly cluster: FakeCluster,
    private readonly options: { texts?: "v1.5" | "v1.7"; holdFinalizer?: boolean } = {},
  ) {
    cluster.onRestoreCreate = (r) => void this.reconcile(r.metadata.name ?? "");
    // An update event (e.g. the provider's grace-check touch) makes KubeVirt reconcile the restore.
    cluster.onRestorePatch = (r) => void this.reconcile(r.metadata.name ?? "");
    cluster.onRestoreDelete = (r) => {
      if (this.options.holdFinalizer) return;
      setTimeout(() => this.release(r.metadata.name ?? ""), 5);
    };
  }

  /** One reconcile: runs the restore as far as the target allows, one status write per macrotask. */
  async reconcile(name: string): Promise<void> {
    const live = () => this.cluster.restores.get(key(name));
    const settled = (r: VirtualMachineRestore | undefined) =>
      !r ||
      Boolean(r.metadata.deletionTimestamp) ||
      r.status?.complete === true ||
      Boolean(r.status?.conditions?.some((c) => c.type === "Failure" && c.status === "True"));
    const write = async (mutate: (r: VirtualMachineRestore) => void): Promise<boolean> => {
      await tick();
      if (settled(live())) return false;
      this.cluster.updateRestore(NS, name, mutate);
      return true;
    };
    const conditions = (progressing: [string, string], ready: [string, string]) => [
      condition("Progressing", ...progressing),
      condition("Ready", ...ready),
    ];
    const restore = live();
    if (!restore || settled(restore)) return;
    const target = restore.spec.target.name;
    if (!restore.status) {
      const started = await write((r) => {
        r.metadata.finalizers = [FINALIZER];
        r.status = {
          complete: false,
          conditions: conditions(["True", TEXT.initializing], ["False", TEXT.initializing]),
        };
      });
      if (!started) return;
      const vm = this.cluster.vms.get(key(target));
      if (vm) vm.status = { ...vm.status, restoreInProgress: name };
    }
    const policy = restore.spec.targetReadinessPolicy ?? "WaitGracePeriod";
    if (this.cluster.vmis.has(key(target)) && !restore.status?.restores?.length) {
      const waitFor = (reason: string) =>
        write(
          (r) => (r.status = { ...r.status, conditions: conditions(["False", reason], ["False", reason]) }),
        );
      const fail = (reason: string, shown = reason) =>
        write(
          (r) =>
            (r.status = {
              ...r.status,
              complete: false,
              conditions: [
                ...conditions(["False", shown], ["False", shown]),
                condition("Failure", "True", reason),
              ],
            }),
        );
      const now = Date.now() + this.offsetMs;
      const created = Date.parse(restore.metadata.creationTimestamp ?? "");
      switch (policy) {
        case "FailImmediate":
          if (this.options.texts === "v1.5") await fail(V15.failImmediate, V15.failed);
          else await fail(TEXT.failImmediate);
          return;
        case "WaitGracePeriod":
          // KubeVirt judges the grace only when it reconciles, and never requeues the restore itself.
          if (now - created > GRACE_MS) await fail(TEXT.graceExceeded);
          else await waitFor(TEXT.waitGrace);
          return;
        case "WaitEventually":
          await waitFor(TEXT.waitEventually);
          return;
        case "StopTarget": {
          if (!(await waitFor(TEXT.stopping))) return;
          await tick();
          this.cluster.vmis.delete(key(target));
          const vm = this.cluster.vms.get(key(target));
          if (vm) vm.spec = { ...vm.spec, runStrategy: "Halted" };
          break;
        }
      }
    }
    const uid = live()?.metadata.uid ?? "";
    const claim =
      restore.spec.volumeRestorePolicy === "InPlace" ? `${target}-rootdisk` : `restore-${uid}-rootdisk`;
    const volumes = [
      {
        volumeName: "rootdisk",
        persistentVolumeClaim: claim,
        volumeSnapshotName: "vmsnapshot-content-uid-snap-1-volume-rootdisk",
      },
    ];
    if (
      !(await write(
        (r) =>
          (r.status = {
            ...r.status,
            restores: volumes,
            conditions: conditions(["True", TEXT.creatingPvcs], ["False", TEXT.waitingPvcs]),
          }),
      ))
    )
      return;
    if (
      !(await write(
        (r) =>
          (r.status = {
            ...r.status,
            conditions: conditions(["True", TEXT.updatingSpec], ["False", TEXT.waitingPvcs]),
          }),
      ))
    )
      return;
    if (!this.cluster.vms.has(key(target))) {
      this.cluster.addVm(vmFixture({ name: target, running: false }).vm);
    }
    await write(
      (r) =>
        (r.status = {
          ...r.status,
          complete: true,
          restoreTime: "2026-11-29T10:00:05Z",
          conditions: conditions(["False", TEXT.complete], ["True", TEXT.complete]),
        }),
    );
    const vm = this.cluster.vms.get(key(target));
    if (vm?.status?.restoreInProgress === name) delete vm.status.restoreInProgress;
  }

  /** KubeVirt processed the deletion: its finalizer is released (and the VM's lock). */
  release(name: string): void {
    const target = this.cluster.restores.get(key(name))?.spec.target.name ?? "";
    const vm = this.cluster.vms.get(key(target));
    if (vm?.status?.restoreInProgress === name) delete vm.status.restoreInProgress;
    this.cluster.updateRestore(NS, name, (r) => (r.metadata.finalizers = []));
  }
}

const READY: VirtualMachineSnapshot["status"] = {
  phase: "Succeeded",
  readyToUse: true,
  creationTime: "2026-11-29T09:00:00Z",
  conditions: [condition("Progressing", "False", "Operation complete"), condition("Ready", "True", "Ready")],
};

interface Setup {
  running?: boolean;
  snapshot?: VirtualMachineSnapshot["status"] | "missing" | "deleting";
  kubevirt?: ConstructorParameters<typeof KubeVirtRestores>[1];
  deps?: Parameters<typeof testDeps<FakeCluster>>[1];
}

/** A cluster with VM prod/db-1 (stopped unless `running`), snapshot prod/snap-1 (ready) and KubeVirt. */
async function setup(options: Setup = {}) {
  const cluster = new FakeCluster();
  const { vm, vmi } = vmFixture({ running: options.running ?? false });
  cluster.addVm(vm, vmi);
  const snapshot = options.snapshot ?? READY;
  if (snapshot !== "missing") {
    await cluster.createSnapshot("v1beta1", {
      metadata: { namespace: NS, name: "snap-1" },
      spec: { source: { apiGroup: "kubevirt.io", kind: "VirtualMachine", name: "db-1" } },
    });
    cluster.update(NS, "snap-1", (s) => {
      s.status = snapshot === "deleting" ? READY : snapshot;
      if (snapshot === "deleting") {
        s.metadata.finalizers = ["snapshot.kubevirt.io/vmsnapshot-protection"];
        s.metadata.deletionTimestamp = "2026-11-29T10:00:00Z";
      }
    });
  }
  const kubevirt = new KubeVirtRestores(cluster, options.kubevirt);
  const deps = testDeps(cluster, options.deps);
  const provider = createVmRestoreProvider(deps);
  cluster.calls.splice(0);
  /** Inputs as the SDK sends them, through the provider's own `check`. */
  const check = async (extra: Record<string, unknown> = {}) => {
    const result = await provider.check(undefined, {
      namespace: NS,
      snapshotName: "snap-1",
      resourceName: "rollback",
      owner: OWNER,
      __provider: PROVIDER,
      ...extra,
    });
    expect(result.failures).toEqual([]);
    return result.inputs as Record<string, unknown>;
  };
  return { cluster, kubevirt, deps, provider, check };
}

/** What a failed operation threw: a partial failure carries `id`, `properties` and `reasons`. */
interface Thrown {
  message: string;
  id?: string;
  properties?: Record<string, unknown>;
  reasons?: string[];
}

async function rejection(operation: Promise<unknown>): Promise<Thrown> {
  try {
    await operation;
  } catch (error) {
    return error as Thrown;
  }
  throw new Error("expected the operation to fail");
}

/** Waits (a few ms at a time, up to 2s) until `predicate` holds. */
async function until(predicate: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400 && !predicate(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!predicate()) throw new Error(`timed out waiting for ${what}`);
}

const progressingOf = (cluster: FakeCluster, name = NAME) =>
  cluster.restores.get(key(name))?.status?.conditions?.find((c) => c.type === "Progressing")?.reason;

function containsUndefined(value: unknown): boolean {
  if (value === undefined) return true;
  if (Array.isArray(value)) return value.some(containsUndefined);
  if (value && typeof value === "object") return Object.values(value).some(containsUndefined);
  return false;
}

/** Each checked input is stored unchanged in the outputs (whatever the inputs are called). */
function expectInputsKept(outs: Record<string, unknown>, inputs: Record<string, unknown>): void {
  const { __provider: _provider, ...plain } = inputs;
  expect(outs).toMatchObject(plain);
}

describe("VMRestore check", () => {
  it("applies KubeVirt's defaults, names the restore after the resource, and keeps the provider marker", async () => {
    const { provider } = await setup();
    const result = await provider.check(undefined, {
      namespace: NS,
      snapshotName: "snap-1",
      resourceName: "rollback",
      owner: OWNER,
      __provider: PROVIDER,
    });
    expect(result.failures).toEqual([]);
    expect(result.inputs).toMatchObject({
      namespace: NS,
      snapshotName: "snap-1",
      name: NAME,
      autoNamed: true,
      targetReadinessPolicy: "WaitGracePeriod",
      volumeRestorePolicy: "RandomizeNames",
      deleteTimeout: "5m",
      triggers: [],
      __provider: PROVIDER,
    });
    expect(result.inputs).not.toHaveProperty("targetVmName");
  });

  it("keeps the name chosen before for the same resource (an update), and picks a new one without olds", async () => {
    const suffixes = ["abc1234", "def5678"];
    const { provider } = await setup({ deps: { suffix: () => suffixes.shift() ?? "zzz9999" } });
    const raw = { namespace: NS, snapshotName: "snap-1", resourceName: "rollback", owner: OWNER };
    const first = await provider.check(undefined, raw);
    expect(first.inputs).toMatchObject({ name: NAME, autoNamed: true });
    const again = await provider.check(first.inputs, { ...raw, deleteTimeout: "10m" });
    expect(again.inputs).toMatchObject({ name: NAME, deleteTimeout: "10m" });
    expect((await provider.check(undefined, raw)).inputs).toMatchObject({ name: "rollback-def5678" });
  });

  it("accepts the deprecated deadline as timeout, with a warning naming the fix", async () => {
    const { deps, check } = await setup();
    const inputs = await check({ deadline: "20m" });
    expect(inputs).toMatchObject({ timeout: "20m" });
    expect(inputs).not.toHaveProperty("deadline");
    expect(deps.logs.warn).toEqual([
      '[rollback] warning: deadline is deprecated: it was renamed to timeout, and its value "20m" is used as timeout. ' +
        'Fix: rename deadline to timeout in the VMRestore\'s arguments (timeout: "20m").',
    ]);
  });

  it("names a bad input, its value and the fix", async () => {
    const { provider } = await setup();
    const result = await provider.check(undefined, {
      namespace: NS,
      snapshotName: "Snap_1",
      resourceName: "rollback",
      owner: OWNER,
    });
    expect(result.failures).toEqual([
      {
        property: "snapshotName",
        reason: expect.stringMatching(
          /^snapshotName is "Snap_1", which is not a DNS-1123 subdomain .*Fix: use the exact Kubernetes name/,
        ),
      },
    ]);
  });
});

describe("VMRestore create: KubeVirt completes the restore", () => {
  it("restores a stopped VM from a ready snapshot, waits until complete and stores what KubeVirt reported", async () => {
    const { cluster, deps, provider, check } = await setup();
    const inputs = await check();
    const result = await provider.create(inputs);

    expect(result.id).toBe(ID);
    const live = cluster.restores.get(key(NAME))!;
    // The outputs of provider/restore/outputs.ts: the inputs, then KubeVirt's status ("" / [] when unset).
    expect(result.outs).toMatchObject({
      restoreName: NAME,
      apiVersion: "v1beta1",
      uid: "uid-rollback-abc1234",
      targetVm: "db-1",
      complete: true,
      restoreTime: "2026-11-29T10:00:05Z",
      progressing: "Operation complete",
      failure: "",
      restores: [
        {
          volumeName: "rootdisk",
          persistentVolumeClaim: "restore-uid-rollback-abc1234-rootdisk",
          volumeSnapshotName: "vmsnapshot-content-uid-snap-1-volume-rootdisk",
        },
      ],
    });
    expectInputsKept(result.outs, inputs);
    expect(result.outs).not.toHaveProperty("__provider");
    expect(containsUndefined(result.outs)).toBe(false);

    // What was created: the snapshot's VM as target, KubeVirt's default volume policy left out, marked as ours.
    expect(live.spec).toEqual({
      target: { apiGroup: "kubevirt.io", kind: "VirtualMachine", name: "db-1" },
      virtualMachineSnapshotName: "snap-1",
      targetReadinessPolicy: "WaitGracePeriod",
    });
    expect(live.metadata.labels).toEqual({ "app.kubernetes.io/managed-by": "pulumi-kubevirt-snapshot" });
    expect(live.metadata.annotations).toEqual({ "pulumi-kubevirt-snapshot.io/owner": OWNER });
    expect(live.status?.complete).toBe(true);
    expect(cluster.calls.filter((c) => c === "create-restore")).toHaveLength(1);
    expect(cluster.calls.slice(0, 4)).toEqual(["discover", "get", "get-vm", "get-vmi"]);
    // Stopped target: no note; the nudge never touched a restore that did not wait for its target.
    expect(cluster.calls).not.toContain("patch-restore");
    expect(deps.logs.info).toEqual(
      expect.arrayContaining([
        `[rollback] ${ID}: not complete; progressing: ${TEXT.creatingPvcs}; volumes: 1`,
        `[rollback] ${ID}: complete; progressing: ${TEXT.complete}; volumes: 1`,
      ]),
    );
    expect(deps.logs.info.join("\n")).not.toMatch(/is running/);
    expect(deps.logs.warn).toEqual([]);
  });

  it("restores into a VM that does not exist yet, noting that KubeVirt creates it", async () => {
    const { cluster, deps, provider, check } = await setup();
    const result = await provider.create(await check({ targetVmName: "db-restored" }));
    expect(result.outs).toMatchObject({ targetVm: "db-restored", complete: true, failure: "" });
    expect(cluster.restores.get(key(NAME))!.spec.target.name).toBe("db-restored");
    expect(deps.logs.info).toContain(
      "[rollback] VM prod/db-restored does not exist; KubeVirt creates it from the snapshot.",
    );
    expect(cluster.vms.has(key("db-restored"))).toBe(true);
  });

  it("lets KubeVirt stop a running target under StopTarget, printing KubeVirt's reason while it waits", async () => {
    const { cluster, deps, provider, check } = await setup({ running: true });
    const result = await provider.create(await check({ targetReadinessPolicy: "StopTarget" }));
    expect(result.outs).toMatchObject({ complete: true, failure: "", progressing: TEXT.complete });
    expect(deps.logs.info).toEqual(
      expect.arrayContaining([
        "[rollback] VM prod/db-1 is running; with targetReadinessPolicy StopTarget KubeVirt stops it before restoring. Stop it first for a prompt restore (virtctl stop db-1 -n prod).",
        `[rollback] ${ID}: not complete; progressing: ${TEXT.stopping}`,
      ]),
    );
    expect(cluster.vmis.has(key("db-1"))).toBe(false);
    expect(cluster.restores.get(key(NAME))!.spec.targetReadinessPolicy).toBe("StopTarget");
  });

  it("sends a non-default volumeRestorePolicy this KubeVirt has, and refuses one it lacks before creating anything", async () => {
    const { cluster, provider, check } = await setup();
    cluster.kubevirtVersion = "v1.7.0";
    const result = await provider.create(await check({ volumeRestorePolicy: "InPlace" }));
    expect(cluster.restores.get(key(NAME))!.spec.volumeRestorePolicy).toBe("InPlace");
    expect(result.outs).toMatchObject({
      volumeRestorePolicy: "InPlace",
      restores: [expect.objectContaining({ persistentVolumeClaim: "db-1-rootdisk" })],
    });

    const other = await setup();
    other.cluster.kubevirtVersion = "v1.7.0";
    const refused = await rejection(
      other.provider.create(await other.check({ volumeRestorePolicy: "PrefixTargetName" })),
    );
    expect(refused.message).toBe(
      '[rollback] volumeRestorePolicy "PrefixTargetName" is not available: this cluster runs KubeVirt v1.7.0, and the ' +
        'policy exists from KubeVirt v1.8.0. Nothing was created. Fix: use "RandomizeNames" or "InPlace" (or leave ' +
        "it unset: KubeVirt's default), or upgrade KubeVirt to v1.8.0 or later.",
    );
    expect(refused.id).toBeUndefined();
    expect(other.cluster.calls).not.toContain("create-restore");
    expect(other.cluster.restores.size).toBe(0);
  });
});

describe("VMRestore create: KubeVirt fails the restore", () => {
  it("FailImmediate on a running target: the error names the restore, KubeVirt's reason and the fix; the restore stays in state", async () => {
    const { cluster, deps, provider, check } = await setup({ running: true });
    const inputs = await check({ targetReadinessPolicy: "FailImmediate" });
    const failed = await rejection(provider.create(inputs));

    const message = [
      `[rollback] VirtualMachineRestore ${ID} (snapshot snap-1 → VM db-1) failed: ${TEXT.failImmediate}.`,
      FIX_STOP,
      NEXT,
    ].join("\n");
    expect(failed.message).toBe(message);
    // Partial failure: Pulumi keeps the id and these properties (with the provider marker) in state.
    expect(failed.id).toBe(ID);
    expect(failed.reasons).toEqual([message]);
    expect(failed.properties).toMatchObject({
      restoreName: NAME,
      complete: false,
      failure: TEXT.failImmediate,
      progressing: TEXT.failImmediate,
      restoreTime: "",
      restores: [],
      __provider: PROVIDER,
    });
    expectInputsKept(failed.properties!, inputs);
    expect(deps.logs.info).toContain(
      "[rollback] VM prod/db-1 is running; with targetReadinessPolicy FailImmediate KubeVirt fails the restore at once. Stop it first for a prompt restore (virtctl stop db-1 -n prod).",
    );
    const live = cluster.restores.get(key(NAME))!;
    expect(live.status?.conditions).toContainEqual(condition("Failure", "True", TEXT.failImmediate));
    expect(live.metadata.deletionTimestamp).toBeUndefined();

    // The next `pulumi up` replaces it, deleting it first (KubeVirt refuses a second incomplete restore).
    expect(await provider.diff(ID, failed.properties!, inputs)).toEqual({
      changes: true,
      replaces: ["complete"],
      deleteBeforeReplace: true,
    });
  });

  it("gives the stop-the-VM fix for KubeVirt v1.5's short FailImmediate reason too", async () => {
    const { provider, check } = await setup({ running: true, kubevirt: { texts: "v1.5" } });
    const failed = await rejection(provider.create(await check({ targetReadinessPolicy: "FailImmediate" })));
    expect(failed.message).toBe(
      [
        `[rollback] VirtualMachineRestore ${ID} (snapshot snap-1 → VM db-1) failed: ${V15.failImmediate}.`,
        FIX_STOP,
        NEXT,
      ].join("\n"),
    );
    expect(failed.properties).toMatchObject({ failure: V15.failImmediate, progressing: V15.failed });
  });

  it("WaitGracePeriod: past KubeVirt's 5m grace, touches the restore so KubeVirt writes its Failure, and reports it", async () => {
    let offsetMs = 0;
    const { cluster, kubevirt, deps, provider, check } = await setup({
      running: true,
      deps: { now: () => Date.now() + offsetMs },
    });
    const pending = rejection(provider.create(await check()));
    await until(() => progressingOf(cluster) === TEXT.waitGrace, "KubeVirt waiting for the target");
    await new Promise((r) => setTimeout(r, 20));
    expect(cluster.calls).not.toContain("patch-restore");

    // Five minutes pass (for KubeVirt and the provider): KubeVirt does not requeue the restore by itself.
    offsetMs = GRACE_MS + 1_500;
    kubevirt.offsetMs = offsetMs;
    const failed = await pending;

    expect(failed.message).toBe(
      [
        `[rollback] VirtualMachineRestore ${ID} (snapshot snap-1 → VM db-1) failed: ${TEXT.graceExceeded}.`,
        FIX_STOP,
        NEXT,
      ].join("\n"),
    );
    expect(failed.id).toBe(ID);
    expect(failed.properties).toMatchObject({ complete: false, failure: TEXT.graceExceeded });
    const live = cluster.restores.get(key(NAME))!;
    expect(live.metadata.annotations?.["pulumi-kubevirt-snapshot.io/grace-check"]).toMatch(
      /^\d{4}-\d\d-\d\dT[\d:.]+Z$/,
    );
    expect(live.metadata.annotations?.["pulumi-kubevirt-snapshot.io/owner"]).toBe(OWNER);
    expect(cluster.calls).toContain("patch-restore");
    expect(deps.logs.info).toContain(
      `[rollback] ${ID}: KubeVirt's 5m grace period for the target has passed; touching the restore ` +
        "(annotation pulumi-kubevirt-snapshot.io/grace-check) every 5s so KubeVirt re-checks it, as it does not on its own.",
    );
    expect(deps.logs.info).toContain(`[rollback] ${ID}: not complete; progressing: ${TEXT.waitGrace}`);
    expect(deps.logs.warn).toEqual([]);
  });

  it("a restore still waiting at its timeout is kept in state with KubeVirt's reason", async () => {
    const { cluster, provider, check } = await setup({ running: true });
    const inputs = await check({ targetReadinessPolicy: "WaitEventually", timeout: "150ms" });
    const failed = await rejection(provider.create(inputs));
    expect(failed.message).toBe(
      [
        `[rollback] VirtualMachineRestore ${ID} (snapshot snap-1 → VM db-1) did not complete within 150ms (KubeVirt: ${TEXT.waitEventually}).`,
        FIX_STOP,
        NEXT,
      ].join("\n"),
    );
    expect(failed.id).toBe(ID);
    expect(failed.properties).toMatchObject({
      complete: false,
      failure: "",
      progressing: TEXT.waitEventually,
    });
    expect(cluster.restores.has(key(NAME))).toBe(true);
    // WaitEventually has no grace: never touched.
    expect(cluster.calls).not.toContain("patch-restore");
  });
});

describe("VMRestore create: the wait breaks off", () => {
  it("keeps a restore it created but cannot follow (watch forbidden) in state, saying why", async () => {
    const { cluster, provider, check } = await setup();
    cluster.failWith = { code: 403, verbs: ["list-restore"] };
    const failed = await rejection(provider.create(await check()));
    expect(failed.message).toBe(
      `[rollback] created VirtualMachineRestore ${ID} but could not follow it: cannot list-restore: HTTP 403\n` +
        "It is recorded in the stack's state so nothing is orphaned; fix the cause, then run `pulumi refresh`.",
    );
    expect(failed.id).toBe(ID);
    expect(failed.reasons).toEqual([failed.message]);
    expect(failed.properties).toMatchObject({ restoreName: NAME, complete: false, __provider: PROVIDER });
    expect(cluster.restores.has(key(NAME))).toBe(true);
  });

  it("reports a restore removed while it waits (e.g. its target VM deleted), and the next up runs it again", async () => {
    const { cluster, provider, check } = await setup({ running: true });
    const inputs = await check({ targetReadinessPolicy: "WaitEventually" });
    const pending = rejection(provider.create(inputs));
    await until(() => progressingOf(cluster) === TEXT.waitEventually, "KubeVirt waiting for the target");
    cluster.updateRestore(NS, NAME, (r) => {
      r.metadata.deletionTimestamp = "2026-11-29T10:01:00Z";
      r.metadata.finalizers = [];
    });
    const failed = await pending;
    expect(failed.message.split("\n")[0]).toBe(
      `[rollback] VirtualMachineRestore ${ID} (snapshot snap-1 → VM db-1) failed: the restore was deleted while waiting for it.`,
    );
    expect(failed.id).toBe(ID);
    expect(failed.properties).toMatchObject({ complete: false, progressing: TEXT.waitEventually });
    expect(await provider.diff(ID, failed.properties!, inputs)).toMatchObject({ replaces: ["complete"] });
    await provider.delete(ID, failed.properties!);
    expect(await provider.read(ID, failed.properties!)).toEqual({});
  });
});

describe("VMRestore create: refused before anything is created", () => {
  it("refuses a snapshot that does not exist, naming it", async () => {
    const { cluster, provider, check } = await setup({ snapshot: "missing" });
    const refused = await rejection(provider.create(await check()));
    expect(refused.message).toBe(
      "[rollback] VirtualMachineSnapshot prod/snap-1 not found (404), so no restore was created. Fix: check snapshotName and namespace (kubectl get vmsnapshot -n prod).",
    );
    expect(refused.id).toBeUndefined();
    expect(cluster.calls).toEqual(["discover", "get"]);
    expect(cluster.restores.size).toBe(0);
  });

  it("refuses a snapshot that is not readyToUse, with its phase and error", async () => {
    const { cluster, provider, check } = await setup({
      snapshot: {
        phase: "InProgress",
        readyToUse: false,
        error: { message: "fsfreeze failed: SELinux denied" },
      },
    });
    const refused = await rejection(provider.create(await check()));
    expect(refused.message).toBe(
      "[rollback] VirtualMachineSnapshot prod/snap-1 is not readyToUse (phase InProgress, readyToUse false, error: fsfreeze failed: SELinux denied); " +
        "KubeVirt restores only from a ready snapshot, so no restore was created. Fix: wait until it is ready (a VMSnapshot resource waits for readyToUse by default), " +
        "or restore from another snapshot (kubectl get vmsnapshot -n prod).",
    );
    expect(refused.id).toBeUndefined();
    expect(cluster.calls).not.toContain("create-restore");
    expect(cluster.restores.size).toBe(0);
  });

  it("refuses a ready snapshot that is being deleted", async () => {
    const { cluster, provider, check } = await setup({ snapshot: "deleting" });
    const refused = await rejection(provider.create(await check()));
    expect(refused.message).toMatch(
      /^\[rollback\] VirtualMachineSnapshot prod\/snap-1 is not readyToUse \(phase Succeeded, readyToUse true, being deleted\); .*so no restore was created/,
    );
    expect(cluster.restores.size).toBe(0);
  });
});

describe("VMRestore create: KubeVirt's admission refuses", () => {
  const manual = (
    status: VirtualMachineRestore["status"],
    extra: Partial<VirtualMachineRestore["metadata"]> = {},
  ) => ({
    metadata: { namespace: NS, name: "manual", ...extra },
    spec: {
      target: { apiGroup: "kubevirt.io", kind: "VirtualMachine", name: "db-1" },
      virtualMachineSnapshotName: "snap-1",
    },
    status,
  });

  it("names a failed restore of the same VM that blocks it, KubeVirt's reason and the delete command", async () => {
    const { cluster, provider, check } = await setup({ running: true });
    cluster.seedRestore(
      manual({
        complete: false,
        conditions: [condition("Failure", "True", TEXT.failImmediate)],
      }),
    );
    const refused = await rejection(provider.create(await check({ targetReadinessPolicy: "StopTarget" })));
    expect(refused.message).toBe(
      [
        `[rollback] KubeVirt refused to create VirtualMachineRestore ${ID} (snapshot snap-1 → VM db-1): KubeVirt allows only one incomplete restore per VM, failed ones included, and VM prod/db-1 has another. No restore was created.`,
        `- VirtualMachineRestore "manual" failed (KubeVirt: ${TEXT.failImmediate}) and blocks the VM until it is deleted. Fix: kubectl delete vmrestore manual -n prod, then run pulumi up again.`,
      ].join("\n"),
    );
    expect(refused.id).toBeUndefined();
    expect([...cluster.restores.keys()]).toEqual([key("manual")]);
    expect(cluster.calls.filter((c) => c === "create-restore")).toHaveLength(1);
  });

  it("names a restore still in progress, who made it, and when", async () => {
    const { cluster, deps, provider, check } = await setup({ running: true });
    cluster.seedRestore(
      manual(
        {
          complete: false,
          conditions: [condition("Progressing", "False", TEXT.waitEventually)],
        },
        {
          creationTimestamp: "2026-11-29T10:00:00Z",
          annotations: { "pulumi-kubevirt-snapshot.io/owner": "proj/prod/nightly" },
        },
      ),
    );
    cluster.vms.get(key("db-1"))!.status!.restoreInProgress = "manual";
    const refused = await rejection(provider.create(await check()));
    expect(refused.message.split("\n")).toEqual([
      `[rollback] KubeVirt refused to create VirtualMachineRestore ${ID} (snapshot snap-1 → VM db-1): KubeVirt allows only one incomplete restore per VM, failed ones included, and VM prod/db-1 has another. No restore was created.`,
      `- VirtualMachineRestore "manual" is still in progress (KubeVirt: ${TEXT.waitEventually}, created 2026-11-29T10:00:00Z). ` +
        "Fix: wait until it completes (kubectl get vmrestore manual -n prod -w), then run pulumi up again; if it is abandoned, kubectl delete vmrestore manual -n prod. " +
        'It was made by the Pulumi resource "proj/prod/nightly"; removing it there keeps that stack right.',
    ]);
    expect(deps.logs.info).toContain(
      '[rollback] VM prod/db-1 is being restored by "manual"; KubeVirt refuses a second restore meanwhile.',
    );
    expect(cluster.restores.size).toBe(1);
  });

  it("explains KubeVirt's Snapshot feature gate when it is off", async () => {
    const { cluster, provider, check } = await setup();
    cluster.restoreGateOff = true;
    const refused = await rejection(provider.create(await check()));
    expect(refused.message).toBe(
      `[rollback] KubeVirt refused to create VirtualMachineRestore ${ID} (snapshot snap-1 → VM db-1): ` +
        '"Snapshot/Restore feature gate not enabled". Restores need KubeVirt\'s Snapshot feature gate, which is off; ' +
        'no restore was created. Fix: add "Snapshot" to spec.configuration.developerConfiguration.featureGates of ' +
        "the KubeVirt CR (kubectl edit kubevirt -n kubevirt); on KubeVirt v1.8 and later also make sure it is not " +
        "listed in spec.configuration.developerConfiguration.disabledFeatureGates. Then run pulumi up again.",
    );
    expect(refused.id).toBeUndefined();
    expect(cluster.restores.size).toBe(0);
  });

  it("replaces a failed restore (delete first): creates again while KubeVirt's webhook still counts the deleted one", async () => {
    const suffixes = ["abc1234", "def5678"];
    const { cluster, deps, provider, check } = await setup({
      running: true,
      deps: { suffix: () => suffixes.shift() ?? "zzz9999" },
    });
    const failed = await rejection(provider.create(await check({ targetReadinessPolicy: "FailImmediate" })));
    expect(failed.id).toBe(ID);

    cluster.webhookLag = 1;
    await provider.delete(failed.id!, failed.properties!);
    expect(cluster.restores.size).toBe(0);
    // The engine re-checks the replacement without olds: a new name.
    const replacement = await check({ targetReadinessPolicy: "StopTarget" });
    expect(replacement["name"]).toBe("rollback-def5678");
    const created = await provider.create(replacement);

    expect(created.id).toBe("prod/rollback-def5678");
    expect(created.outs).toMatchObject({ complete: true, failure: "", restoreName: "rollback-def5678" });
    expect(cluster.calls.filter((c) => c === "create-restore")).toHaveLength(3);
    expect(deps.logs.info).toContain(
      "[rollback] KubeVirt still counted a finished restore of VM db-1; creating prod/rollback-def5678 again in 1s.",
    );
    expect([...cluster.restores.keys()]).toEqual([key("rollback-def5678")]);
  });

  it("gives up after a few creates when KubeVirt's webhook keeps counting a restore that is gone", async () => {
    const { cluster, provider, check } = await setup();
    cluster.seedRestore(manual({ complete: false }));
    cluster.webhookLag = 10;
    cluster.removeRestore(NS, "manual");
    const refused = await rejection(provider.create(await check()));
    expect(refused.message.split("\n")).toEqual([
      `[rollback] KubeVirt refused to create VirtualMachineRestore ${ID} (snapshot snap-1 → VM db-1): KubeVirt allows only one incomplete restore per VM, failed ones included, and VM prod/db-1 has another. No restore was created.`,
      `- VirtualMachineRestore "manual" is gone now (KubeVirt's webhook had not seen it go yet). Fix: run pulumi up again.`,
    ]);
    expect(cluster.calls.filter((c) => c === "create-restore")).toHaveLength(5);
    expect(cluster.restores.size).toBe(0);
  });

  it("picks up its own leftover from an interrupted run (KubeVirt's webhook names it before the apiserver could say 409)", async () => {
    const { cluster, kubevirt, deps, provider, check } = await setup({ running: true });
    const inputs = await check({ targetReadinessPolicy: "WaitEventually" });
    cluster.seedRestore({
      metadata: {
        namespace: NS,
        name: NAME,
        annotations: { "pulumi-kubevirt-snapshot.io/owner": OWNER },
      },
      spec: {
        target: { apiGroup: "kubevirt.io", kind: "VirtualMachine", name: "db-1" },
        virtualMachineSnapshotName: "snap-1",
        targetReadinessPolicy: "WaitEventually",
      },
    });
    await kubevirt.reconcile(NAME);
    expect(progressingOf(cluster)).toBe(TEXT.waitEventually);

    const pending = provider.create(inputs);
    await until(
      () => deps.logs.info.includes(`[rollback] picking up ${ID}, left by an earlier run.`),
      "the pick-up",
    );
    // The user stops the VM; KubeVirt reconciles on the VM's change.
    cluster.vmis.delete(key("db-1"));
    await kubevirt.reconcile(NAME);
    const created = await pending;

    expect(created).toMatchObject({ id: ID, outs: { complete: true, restoreName: NAME, failure: "" } });
    expect(cluster.calls.filter((c) => c === "create-restore")).toHaveLength(1);
    expect(cluster.restores.size).toBe(1);
  });

  it("does not pick up its own leftover when it restores another snapshot", async () => {
    const { cluster, provider, check } = await setup();
    // An interrupted run of this resource (explicit name) restored snap-old; the program now says snap-1.
    cluster.seedRestore({
      metadata: {
        namespace: NS,
        name: "rollback-now",
        annotations: { "pulumi-kubevirt-snapshot.io/owner": OWNER },
      },
      spec: {
        target: { apiGroup: "kubevirt.io", kind: "VirtualMachine", name: "db-1" },
        virtualMachineSnapshotName: "snap-old",
        targetReadinessPolicy: "WaitGracePeriod",
      },
      status: { complete: true, conditions: [condition("Ready", "True", TEXT.complete)] },
    });
    const refused = await rejection(provider.create(await check({ name: "rollback-now" })));
    expect(refused.message).toBe(
      `[rollback] the VirtualMachineRestore ${NS}/rollback-now, left by an earlier run of this resource, restores ` +
        `snapshot "snap-old", not "snap-1"; nothing was changed. Fix: delete it (kubectl delete ` +
        `virtualmachinerestore -n ${NS} rollback-now) and run pulumi up again, or choose another name (or leave name unset).`,
    );
    expect(refused.id).toBeUndefined();
    expect(cluster.restores.get(key("rollback-now"))!.spec.virtualMachineSnapshotName).toBe("snap-old");
  });

  it("does not take over a restore of that name made by someone else", async () => {
    const { cluster, provider, check } = await setup();
    // Completed, so KubeVirt's webhook lets the create through and the apiserver answers 409.
    cluster.seedRestore(
      manual(
        { complete: true },
        { name: NAME, annotations: { "pulumi-kubevirt-snapshot.io/owner": "other/dev/x" } },
      ),
    );
    const refused = await rejection(provider.create(await check()));
    expect(refused.message).toBe(
      `[rollback] a VirtualMachineRestore named "${NAME}" already exists in prod and belongs to "other/dev/x"; nothing was changed. ` +
        "Fix: choose another name (or leave name unset), or delete the existing restore.",
    );
    expect(refused.id).toBeUndefined();
    expect(cluster.restores.get(key(NAME))!.metadata.annotations).toEqual({
      "pulumi-kubevirt-snapshot.io/owner": "other/dev/x",
    });
  });
});

describe("VMRestore read", () => {
  it("refreshes the outputs from the live restore: one cut off by its timeout that completed since", async () => {
    const { cluster, kubevirt, provider, check } = await setup({ running: true });
    const inputs = await check({ targetReadinessPolicy: "WaitEventually", timeout: "100ms" });
    const failed = await rejection(provider.create(inputs));
    expect(failed.properties).toMatchObject({ complete: false });

    cluster.vmis.delete(key("db-1"));
    await kubevirt.reconcile(NAME);
    const read = await provider.read(ID, failed.properties!);

    expect(read.id).toBe(ID);
    expect(read.props).toMatchObject({
      restoreName: NAME,
      apiVersion: "v1beta1",
      complete: true,
      restoreTime: "2026-11-29T10:00:05Z",
      progressing: TEXT.complete,
      failure: "",
      restores: [expect.objectContaining({ volumeName: "rootdisk" })],
    });
    expectInputsKept(read.props as Record<string, unknown>, inputs);
    expect(read.props).not.toHaveProperty("__provider");
    expect(cluster.restores.get(key(NAME))!.metadata.deletionTimestamp).toBeUndefined();
    // Complete now: nothing to replace.
    expect(await provider.diff(ID, { ...read.props, __provider: PROVIDER }, inputs)).toEqual({
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
  });

  it("reads with the API version stored in state while the cluster still serves it", async () => {
    const { cluster, provider, check } = await setup();
    const created = await provider.create(await check());
    cluster.calls.splice(0);
    const read = await provider.read(ID, { ...created.outs, apiVersion: "v1alpha1" });
    expect(read.props).toMatchObject({ apiVersion: "v1alpha1", complete: true });
    expect(cluster.calls).toEqual(["discover", "get-restore"]);
  });

  it("drops a restore deleted out of band from state (no id)", async () => {
    const { cluster, provider, check } = await setup();
    const created = await provider.create(await check());
    cluster.removeRestore(NS, NAME);
    await expect(provider.read(ID, { ...created.outs, __provider: PROVIDER })).resolves.toEqual({});
    expect(cluster.calls.at(-1)).toBe("get-restore");
  });
});

describe("VMRestore kubeconfig context", () => {
  it("connects with the context of the inputs to create, and with the stored one to read and delete", async () => {
    const { deps, provider, check } = await setup();
    const created = await provider.create(await check({ context: "staging" }));
    expect(created.outs).toMatchObject({ context: "staging", complete: true });
    const stored = { ...created.outs, __provider: PROVIDER };
    await provider.read(ID, stored);
    await provider.delete(ID, stored);
    expect(deps.contexts).toEqual(["staging", "staging", "staging"]);
  });
});

describe("VMRestore update", () => {
  it("stores new waits without touching the cluster", async () => {
    const { cluster, provider, check } = await setup();
    const created = await provider.create(await check());
    const olds = { ...created.outs, __provider: PROVIDER };
    const news = await check({ deleteTimeout: "10m" });
    expect(await provider.diff(ID, olds, news)).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
    cluster.calls.splice(0);
    const updated = await provider.update(ID, olds, news);
    expect(updated.outs).toMatchObject({ deleteTimeout: "10m", complete: true, restoreName: NAME });
    expect(cluster.calls).toEqual([]);
  });
});

describe("VMRestore state written by an earlier build (deadline, not timeout)", () => {
  it("diffs it as timeout, and an update stores timeout only", async () => {
    const { cluster, provider, check } = await setup();
    const created = await provider.create(await check());
    const { timeout, ...rest } = created.outs as Record<string, unknown>;
    expect(timeout).toBe("10m");
    const stored = { ...rest, deadline: "10m", __provider: PROVIDER };
    expect(await provider.diff(ID, stored, await check())).toEqual({
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
    const news = await check({ timeout: "15m" });
    expect(await provider.diff(ID, stored, news)).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
    cluster.calls.splice(0);
    const updated = await provider.update(ID, stored, news);
    expect(updated.outs).toMatchObject({ timeout: "15m", complete: true });
    expect(updated.outs).not.toHaveProperty("deadline");
    expect(cluster.calls).toEqual([]);
  });
});

describe("VMRestore delete", () => {
  it("deletes the restore, waits until KubeVirt released its finalizer, and leaves the VM", async () => {
    const { cluster, deps, provider, check } = await setup();
    const created = await provider.create(await check());
    const seen: VirtualMachineRestore[] = [];
    const release = cluster.onRestoreDelete!;
    cluster.onRestoreDelete = (marked) => {
      seen.push(marked);
      release(marked);
    };
    expect(cluster.restores.get(key(NAME))!.metadata.finalizers).toEqual([FINALIZER]);

    await provider.delete(ID, { ...created.outs, __provider: PROVIDER });

    expect(seen).toHaveLength(1);
    expect(seen[0]!.metadata.deletionTimestamp).toBeDefined();
    expect(cluster.restores.size).toBe(0);
    expect(cluster.calls).toEqual(
      expect.arrayContaining(["delete-restore", "list-restore", "watch-restore"]),
    );
    expect(deps.logs.info).toContain(`[rollback] ${ID} (deleting): gone`);
    // Only the restore object: the VM restored into and the snapshot stay.
    expect(cluster.vms.has(key("db-1"))).toBe(true);
    expect(cluster.snapshots.has(key("snap-1"))).toBe(true);
  });

  it("treats a restore that is already gone as deleted", async () => {
    const { cluster, provider } = await setup();
    await provider.delete(ID, { apiVersion: "v1beta1", resourceName: "rollback" });
    expect(cluster.calls).toEqual(["discover", "delete-restore"]);
  });

  it("fails with the finalizers it saw when KubeVirt does not release the restore in time", async () => {
    const { cluster, provider, check } = await setup({ kubevirt: { holdFinalizer: true } });
    const created = await provider.create(await check());
    const error = await rejection(provider.delete(ID, { ...created.outs, deleteTimeout: "50ms" }));
    expect(error.message).toBe(
      `[rollback] VirtualMachineRestore ${ID} was still there 50ms after its deletion (finalizers ["${FINALIZER}"]). ` +
        "KubeVirt removes its finalizer when it processes the deletion. Fix: check the KubeVirt controller (virt-controller logs), then run the operation again.",
    );
    expect(cluster.restores.get(key(NAME))!.metadata.deletionTimestamp).toBeDefined();
  });
});
