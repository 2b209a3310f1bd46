import type { PodUsingClaims } from "../../../provider/kube/cluster";
import type { VirtualMachine, VirtualMachineSnapshot } from "../../../provider/kube/types";
import { failureMessage } from "../../../provider/snapshot/failure-message";
import {
  countedPods,
  offlinePodsCheck,
  offlinePodsFollower,
  offlinePodsHint,
  podsDecoration,
  podsUsingPvcsReason,
  vmClaimNames,
  waitingReason,
  type OfflinePods,
} from "../../../provider/snapshot/offline-pods";
import { podsMountingClaims } from "../../../provider/kube/pods";
import { preflight } from "../../../provider/snapshot/preflight";
import { summarizeSnapshot } from "../../../provider/core/progress";
import { createVmSnapshotProvider } from "../../../provider/snapshot/provider";
import { FakeCluster } from "../../support/fake-cluster";
import {
  deadlineExceeded,
  firstStatus,
  playKubevirt,
  vmFixture,
  type Step,
} from "../../support/kubevirt-script";
import { checkedInputs, testDeps } from "../../support/test-deps";

const REASON = "Source not locked source is offline but 1 pods using PVCs [db-1-rootdisk]";
const holder: PodUsingClaims = { name: "holder", phase: "Running", claims: ["db-1-rootdisk"] };
const done: PodUsingClaims = { name: "job-1", phase: "Succeeded", claims: ["db-1-rootdisk"] };
const crashed: PodUsingClaims = { name: "job-2", phase: "Failed", claims: ["db-1-data"] };

const found = (pods: PodUsingClaims[] | undefined): OfflinePods => ({
  namespace: "prod",
  vmName: "db-1",
  claims: ["db-1-data", "db-1-rootdisk"],
  pods,
});

function snapshotWith(phase: "" | "InProgress" | "Failed", reason: string): VirtualMachineSnapshot {
  return {
    metadata: { name: "s", namespace: "prod" },
    spec: { source: { apiGroup: "kubevirt.io", kind: "VirtualMachine", name: "db-1" } },
    status: { phase, conditions: [{ type: "Progressing", status: "False", reason }] },
  };
}

describe("offline pods: pure decisions", () => {
  it("takes the claims KubeVirt checks from PVC, DataVolume and MemoryDump volumes", () => {
    const volumes = [
      { name: "rootdisk", persistentVolumeClaim: { claimName: "db-1-rootdisk" } },
      { name: "data", dataVolume: { name: "db-1-data" } },
      { name: "dump", memoryDump: { claimName: "db-1-dump" } },
      { name: "again", persistentVolumeClaim: { claimName: "db-1-rootdisk" } },
      { name: "cloudinit", cloudInitNoCloud: { userData: "#cloud-config" } },
    ];
    const vm: VirtualMachine = { metadata: { name: "db-1" }, spec: { template: { spec: { volumes } } } };
    expect(vmClaimNames(vm)).toEqual(["db-1-data", "db-1-dump", "db-1-rootdisk"]);
    expect(vmClaimNames({ metadata: {} })).toEqual([]);
  });

  it("keeps the pods mounting any of the claims, with their phase and which claims they mount", () => {
    const pods = [
      {
        metadata: { name: "web" },
        spec: { volumes: [{ persistentVolumeClaim: { claimName: "other" } }, {}] },
        status: { phase: "Running" },
      },
      {
        metadata: { name: "holder" },
        spec: {
          volumes: [
            { persistentVolumeClaim: { claimName: "db-1-rootdisk" } },
            { persistentVolumeClaim: { claimName: "db-1-rootdisk" } },
          ],
        },
        status: { phase: "Running" },
      },
      {
        metadata: { name: "early" },
        spec: { volumes: [{ persistentVolumeClaim: { claimName: "db-1-data" } }] },
      },
    ];
    expect(podsMountingClaims(pods, ["db-1-rootdisk", "db-1-data"])).toEqual([
      { name: "early", phase: "Unknown", claims: ["db-1-data"] },
      { name: "holder", phase: "Running", claims: ["db-1-rootdisk"] },
    ]);
  });

  it("reads KubeVirt's pods-using-PVCs reason (Go's %+v of the claim list) and nothing else", () => {
    expect(
      podsUsingPvcsReason(
        "Source not locked source is offline but 2 pods using PVCs [db-1-data db-1-rootdisk]",
      ),
    ).toEqual({ count: 2, claims: ["db-1-data", "db-1-rootdisk"] });
    expect(podsUsingPvcsReason('Source not locked snapshot "first" in progress')).toBeUndefined();
    expect(podsUsingPvcsReason("Operation failed")).toBeUndefined();
  });

  it("gives a waiting snapshot's Progressing reason, and none once it has a verdict", () => {
    expect(waitingReason(snapshotWith("InProgress", REASON))).toBe(REASON);
    expect(waitingReason(snapshotWith("", "Source not locked"))).toBe("Source not locked");
    expect(waitingReason(snapshotWith("Failed", "Operation failed"))).toBeUndefined();
    expect(waitingReason(undefined)).toBeUndefined();
  });

  it("decorates only KubeVirt's pods-using-PVCs reason, and only when the pods are known", () => {
    const claims = ["db-1-rootdisk"];
    expect(podsDecoration(claims, [holder], REASON)).toBe(
      'held by pod "holder" (Running, mounts db-1-rootdisk): stop or delete it so KubeVirt can lock the VM',
    );
    const failedOnRoot = { ...crashed, claims: ["db-1-rootdisk"] };
    expect(podsDecoration(claims, [holder, failedOnRoot], REASON)).toMatch(
      /^held by pods "holder" \(Running, mounts db-1-rootdisk\), "job-2" \(Failed, mounts db-1-rootdisk\): stop or delete them/,
    );
    expect(podsDecoration(claims, [holder], "Source locked and operation in progress")).toBe("");
    expect(podsDecoration(claims, undefined, REASON)).toBe("");
    expect(podsDecoration(claims, [], REASON)).toBe("");
    expect(podsDecoration(claims, [{ ...holder, claims: ["elsewhere"] }], REASON)).toBe("");
  });

  it("leaves out finished pods when the others alone make KubeVirt's count (v1.9 skips Succeeded pods)", () => {
    const two = "Source not locked source is offline but 2 pods using PVCs [db-1-rootdisk]";
    const claims = ["db-1-rootdisk"];
    expect(countedPods([holder, done], { count: 1, claims })).toEqual([holder]);
    expect(countedPods([holder, done], { count: 2, claims })).toEqual([holder, done]);
    expect(countedPods([done], { count: 1, claims })).toEqual([done]);
    expect(podsDecoration(claims, [holder, done], REASON)).toMatch(/^held by pod "holder" \(Running[^"]*$/);
    expect(podsDecoration(claims, [holder, done], two)).toMatch(/^held by pods "holder" .*, "job-1"/);
    expect(offlinePodsHint(found([holder, done]), REASON)).not.toMatch(/job-1/);
  });

  it("appends the decoration to the snapshot's progress line; milestones stay the same", () => {
    const snapshot = snapshotWith("InProgress", REASON);
    const plain = summarizeSnapshot(snapshot);
    const decorated = summarizeSnapshot(snapshot, () => "held by x");
    expect(decorated.line).toBe(`${plain.line}; held by x`);
    expect(decorated.milestone).toBe(plain.milestone);
    expect(summarizeSnapshot(snapshot, () => "").line).toBe(plain.line);
    expect(summarizeSnapshot(undefined, () => "held by x").line).toBe("gone");
  });

  it("follows a wait: names the pods while KubeVirt waits for them, remembers the reason past the deadline", () => {
    const follower = offlinePodsFollower(found([holder]));
    expect(follower.summarize(snapshotWith("InProgress", REASON)).line).toMatch(
      /progressing: Source not locked source is offline but 1 pods using PVCs \[db-1-rootdisk\]; held by pod "holder"/,
    );
    expect(follower.summarize(snapshotWith("Failed", "Operation failed")).line).toBe(
      "phase Failed; progressing: Operation failed",
    );
    expect(follower.lastWaitingReason()).toBe(REASON);
    const plain = offlinePodsFollower(undefined);
    expect(plain.summarize(snapshotWith("InProgress", REASON)).line).not.toMatch(/held by/);
    expect(plain.lastWaitingReason()).toBe(REASON);
  });

  it("warns before creating, naming the pods, their phase, the PVCs and a fix per phase", () => {
    const { warnings, notes } = offlinePodsCheck(found([holder, done, crashed]));
    expect(notes).toEqual([]);
    expect(warnings).toHaveLength(1);
    const [warning] = warnings;
    expect(warning).toMatch(
      /^VM prod\/db-1 is stopped and 3 pods mount its PVCs: "holder" \(Running, mounts db-1-rootdisk\), "job-1" \(Succeeded, mounts db-1-rootdisk\), "job-2" \(Failed, mounts db-1-data\)\. KubeVirt does not lock a stopped VM/,
    );
    expect(warning).toMatch(/Fix: stop the workload that runs pod "holder" or delete it;/);
    expect(warning).toMatch(/delete the failed pod "job-2" \(KubeVirt counts failed pods too\)/);
    expect(warning).toMatch(/on KubeVirt v1\.8 or older also delete the finished pod "job-1"/);
    expect(warning).toMatch(
      /v1\.9 ignores them\)\. To delete: kubectl delete pod holder job-2 job-1 -n prod\.$/,
    );
  });

  it("says finished pods hold the VM only on KubeVirt v1.8 and older", () => {
    const [warning] = offlinePodsCheck(found([done])).warnings;
    expect(warning).toMatch(
      /KubeVirt v1\.8 and older count finished pods too .* \(v1\.9 ignores Succeeded pods\)/,
    );
    expect(warning).toMatch(/Fix: on KubeVirt v1\.8 or older also delete the finished pod "job-1"/);
  });

  it("says nothing when no pod mounts the claims, and notes when pods cannot be listed", () => {
    expect(offlinePodsCheck(found([]))).toEqual({ warnings: [], notes: [] });
    const { warnings, notes } = offlinePodsCheck(found(undefined));
    expect(warnings).toEqual([]);
    expect(notes.join()).toMatch(/may not list pods \(no "list" on pods, see rbac\/vmsnapshot-role\.yaml\)/);
  });

  it("preflight warns only for a stopped VM", () => {
    const { vm } = vmFixture({ running: false });
    const options = { guestAgent: "prefer" as const, allowEmpty: false, offlinePods: found([holder]) };
    expect(preflight(vm, undefined, options).warnings.join()).toMatch(/is stopped and 1 pod mounts its PVCs/);
    const running = vmFixture();
    expect(preflight(running.vm, running.vmi, options).warnings).toEqual([]);
  });

  it("hints at the failure with the pods and the fix, or how to find them when pods cannot be listed", () => {
    expect(offlinePodsHint(found([holder]), REASON)).toBe(
      `KubeVirt never locked the stopped VM prod/db-1: "${REASON}". Held by pod "holder" (Running, mounts ` +
        'db-1-rootdisk). Fix: stop the workload that runs pod "holder" or delete it. To delete: kubectl delete ' +
        "pod holder -n prod; then run `pulumi up` again.",
    );
    expect(offlinePodsHint(found(undefined), REASON)).toMatch(
      /Pods in namespace prod mount its PVCs; the provider may not list pods to name them: grant "list" on pods.*Fix: find them with kubectl get pods -n prod -o json \| jq .*IN\("db-1-rootdisk"\)/,
    );
    expect(offlinePodsHint(found([]), REASON)).toMatch(/the provider saw none of them when it checked/);
    expect(offlinePodsHint(found([holder]), 'Source not locked snapshot "x" in progress')).toBeUndefined();
  });

  it("puts the pods hint in the failure message in place of the generic ones", () => {
    const message = failureMessage({
      resourceName: "r",
      namespace: "prod",
      name: "s",
      vmName: "db-1",
      failureDeadline: "8s",
      boundText: "2m8s",
      outcome: { kind: "failed", reason: "snapshot deadline exceeded", message: "" },
      last: snapshotWith("Failed", "Operation failed"),
      onFailure: "delete",
      offlinePods: found([holder]),
      waitingReason: REASON,
    });
    expect(message).toMatch(
      /Held by pod "holder" \(Running, mounts db-1-rootdisk\)\. Fix: stop the workload/,
    );
    expect(message).not.toMatch(/raise failureDeadline/);
  });
});

describe("offline pods: create", () => {
  const podsHeld: Step = (s) => {
    s.status = {
      ...s.status,
      phase: "InProgress",
      conditions: [
        { type: "Progressing", status: "False", reason: REASON },
        { type: "Ready", status: "False", reason: "Not ready" },
      ],
    };
  };

  function setup() {
    const cluster = new FakeCluster();
    const { vm } = vmFixture({ running: false });
    const volumes = [{ name: "rootdisk", persistentVolumeClaim: { claimName: "db-1-rootdisk" } }];
    vm.spec = { ...vm.spec, template: { spec: { volumes } } };
    cluster.addVm(vm);
    cluster.addPod("prod", "holder", "Running", ["db-1-rootdisk"]);
    cluster.addPod("prod", "unrelated", "Running", ["other"]);
    cluster.addPod("staging", "elsewhere", "Running", ["db-1-rootdisk"]);
    playKubevirt(cluster, [firstStatus, podsHeld, deadlineExceeded]);
    cluster.onDelete = (s) =>
      setTimeout(() => cluster.update("prod", s.metadata.name ?? "", (x) => (x.metadata.finalizers = [])), 2);
    const deps = testDeps(cluster);
    return { cluster, deps, provider: createVmSnapshotProvider(deps) };
  }

  it("warns before creating, names the pod on the progress line and in the failure", async () => {
    const { cluster, deps, provider } = setup();
    const error = (await provider
      .create(checkedInputs({ onFailure: "delete" }))
      .catch((e: unknown) => e)) as Error;
    expect(deps.logs.warn.join("\n")).toMatch(
      /\[before-upgrade\] warning: VM prod\/db-1 is stopped and 1 pod mounts its PVCs: "holder" \(Running, mounts db-1-rootdisk\)\./,
    );
    expect(deps.logs.info).toContain(
      `[before-upgrade] prod/before-upgrade-abc1234: phase InProgress; progressing: ${REASON}; held by pod ` +
        '"holder" (Running, mounts db-1-rootdisk): stop or delete it so KubeVirt can lock the VM',
    );
    expect(error.message).toMatch(/failed: snapshot deadline exceeded/);
    expect(error.message).toMatch(
      /Held by pod "holder" \(Running, mounts db-1-rootdisk\)\. Fix: stop the workload that runs pod "holder" or delete it\. To delete: kubectl delete pod holder -n prod;/,
    );
    expect(error.message).not.toMatch(/unrelated|elsewhere/);
    expect(cluster.calls).toContain("list-pods");
    expect(cluster.snapshots.size).toBe(0);
  });

  it("falls back to KubeVirt's count when listing pods is forbidden (403)", async () => {
    const { cluster, deps, provider } = setup();
    cluster.failWith = { code: 403, verbs: ["list-pods"] };
    const error = (await provider
      .create(checkedInputs({ onFailure: "delete" }))
      .catch((e: unknown) => e)) as Error;
    expect(deps.logs.warn).toEqual([]);
    expect(deps.logs.info.join("\n")).toMatch(/may not list pods \(no "list" on pods/);
    expect(deps.logs.info).toContain(
      `[before-upgrade] prod/before-upgrade-abc1234: phase InProgress; progressing: ${REASON}`,
    );
    expect(error.message).toMatch(
      /KubeVirt never locked the stopped VM prod\/db-1: "Source not locked source is offline/,
    );
    expect(error.message).toMatch(/grant "list" on pods.*Fix: find them with kubectl get pods -n prod/);
  });

  it("does not look for pods when the VM runs or has no claims", async () => {
    const cluster = new FakeCluster();
    const { vm, vmi } = vmFixture();
    cluster.addVm(vm, vmi);
    const stopped = vmFixture({ running: false, name: "db-2" });
    cluster.addVm(stopped.vm);
    playKubevirt(cluster, [firstStatus, deadlineExceeded]);
    const provider = createVmSnapshotProvider(testDeps(cluster));
    await provider.create(checkedInputs()).catch(() => undefined);
    await provider.create(checkedInputs({ vmName: "db-2", name: "other" })).catch(() => undefined);
    expect(cluster.calls).not.toContain("list-pods");
  });
});
