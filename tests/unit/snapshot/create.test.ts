import { isProviderError, PartialFailureError } from "../../../provider/core/errors";
import type { SnapshotRef } from "../../../provider/kube/cluster";
import type { VirtualMachineSnapshot } from "../../../provider/kube/types";
import { createVmSnapshotProvider } from "../../../provider/snapshot/provider";
import { FakeCluster } from "../../support/fake-cluster";
import {
  contentError,
  deadlineExceeded,
  firstStatus,
  locked,
  playKubevirt,
  ready,
  succeeded,
  vmFixture,
  type VmShape,
} from "../../support/kubevirt-script";
import { checkedInputs, testDeps } from "../../support/test-deps";

function setup(shape: VmShape = {}) {
  const cluster = new FakeCluster();
  const { vm, vmi } = vmFixture(shape);
  cluster.addVm(vm, vmi);
  const deps = testDeps(cluster);
  return { cluster, deps, provider: createVmSnapshotProvider(deps) };
}

const healthy = (indications: string[]) => [firstStatus, locked(indications), succeeded(), ready];

function containsUndefined(value: unknown): boolean {
  if (value === undefined) return true;
  if (Array.isArray(value)) return value.some(containsUndefined);
  if (value && typeof value === "object") return Object.values(value).some(containsUndefined);
  return false;
}

describe("create", () => {
  it("lists the resource's snapshots once: VM, instance, one listing, create, commit besides the wait", async () => {
    const { cluster, provider } = setup();
    playKubevirt(cluster, healthy(["GuestAgent", "Online"]));
    await provider.create(checkedInputs({ history: 2 }));
    // The wait's list + watch come from the namespace's shared list-watch in production (kube/shared-streams.ts),
    // whose list answers with the create's answer while its cache catches up (no GET); discovery is reused
    // across operations there (kube/recent-answer.ts).
    expect(cluster.calls.filter((c) => c !== "list" && c !== "watch")).toEqual([
      "discover",
      "get-vm",
      "get-vmi",
      "list-selector",
      "create",
      "patch",
    ]);
  });

  it("snapshots a running VM with a connected agent and waits until readyToUse", async () => {
    const { cluster, deps, provider } = setup();
    playKubevirt(cluster, healthy(["GuestAgent", "Online"]));
    const result = await provider.create(checkedInputs());
    expect(result.id).toBe("prod/before-upgrade-abc1234");
    expect(result.outs).toMatchObject({
      snapshotName: "before-upgrade-abc1234",
      apiVersion: "v1beta1",
      phase: "Succeeded",
      readyToUse: true,
      online: true,
      guestAgentConnected: true,
      indications: ["GuestAgent", "Online"],
      includedVolumes: ["rootdisk"],
      contentName: "vmsnapshot-content-uid-before-upgrade-abc1234",
      uid: "uid-before-upgrade-abc1234",
    });
    expect(containsUndefined(result.outs)).toBe(false);
    expect(result.outs).not.toHaveProperty("__provider");
    const stored = cluster.snapshots.get("prod/before-upgrade-abc1234")!;
    expect(stored.spec).toEqual({
      source: { apiGroup: "kubevirt.io", kind: "VirtualMachine", name: "db-1" },
      deletionPolicy: "Delete",
      failureDeadline: "5m",
    });
    expect(stored.metadata.labels).toMatchObject({
      "app.kubernetes.io/managed-by": "pulumi-kubevirt-snapshot",
    });
    expect(stored.metadata.annotations).toMatchObject({
      "pulumi-kubevirt-snapshot.io/owner": "proj/dev/before-upgrade",
    });
    expect(deps.logs.info.some((l) => /guest agent connected/.test(l))).toBe(true);
    expect(
      deps.logs.info.filter((l) => l.startsWith("[before-upgrade] prod/before-upgrade-abc1234: phase")),
    ).toEqual(expect.arrayContaining([expect.stringMatching(/phase Succeeded.*readyToUse/)]));
    expect(deps.logs.warn).toEqual([]);
  });

  it("warns and proceeds for a running VM without an agent under guestAgent prefer", async () => {
    const { cluster, deps, provider } = setup({ agent: false });
    playKubevirt(cluster, healthy(["NoGuestAgent", "Online"]));
    const result = await provider.create(checkedInputs());
    expect(result.outs).toMatchObject({
      guestAgentConnected: false,
      online: true,
      indications: ["NoGuestAgent", "Online"],
    });
    expect(deps.logs.warn.join("\n")).toMatch(
      /guest agent is not connected \(no AgentConnected condition\).*crash-consistent/,
    );
  });

  it("fails before creating anything for a running VM without an agent under guestAgent require", async () => {
    const { cluster, provider } = setup({ agent: false });
    await expect(provider.create(checkedInputs({ guestAgent: "require" }))).rejects.toThrow(
      /VM prod\/db-1 is running but its QEMU guest agent is not connected \(no AgentConnected condition\).*"require", so nothing was created\. Fix: install and start qemu-guest-agent/s,
    );
    expect(cluster.calls).not.toContain("create");
    expect(cluster.snapshots.size).toBe(0);
  });

  it("takes an offline snapshot of a stopped VM, even under guestAgent require", async () => {
    const { cluster, deps, provider } = setup({ running: false });
    playKubevirt(cluster, [firstStatus, locked([]), succeeded(), ready]);
    const result = await provider.create(checkedInputs({ guestAgent: "require" }));
    expect(result.outs).toMatchObject({ online: false, guestAgentConnected: false, readyToUse: true });
    expect(deps.logs.info.join("\n")).toMatch(/is stopped: taking an offline snapshot/);
  });

  it("warns for a paused VM under prefer and refuses it under require", async () => {
    const prefer = setup({ paused: true });
    playKubevirt(prefer.cluster, healthy(["Online", "Paused"]));
    const result = await prefer.provider.create(checkedInputs());
    expect(result.outs).toMatchObject({ indications: ["Online", "Paused"] });
    expect(prefer.deps.logs.warn.join("\n")).toContain(
      "is paused (Paused=True): a paused guest cannot be frozen (KubeVirt v1.6 and later skip the freeze; " +
        "older versions attempt it, which a paused guest cannot answer), so the snapshot is only crash-consistent.",
    );

    const require = setup({ paused: true });
    await expect(require.provider.create(checkedInputs({ guestAgent: "require" }))).rejects.toThrow(
      /paused.*Fix: unpause it \(virtctl unpause vm db-1 -n prod\)/s,
    );
    expect(require.cluster.snapshots.size).toBe(0);
  });

  it("fails naming the namespace and VM when the VM does not exist", async () => {
    const { cluster, provider } = setup();
    await expect(provider.create(checkedInputs({ vmName: "db-2" }))).rejects.toThrow(
      /VirtualMachine prod\/db-2 not found \(404\), so nothing was created\. Fix: check namespace and vmName.*set whenVmMissing: "skip"/s,
    );
    expect(cluster.snapshots.size).toBe(0);
  });

  it("refuses a VM with no snapshot-capable volume, listing each volume with KubeVirt's reason", async () => {
    const volumes = [
      {
        name: "rootdisk",
        enabled: false,
        reason:
          "No VolumeSnapshotClass: Volume snapshots are not configured for this StorageClass [local] [rootdisk]",
      },
      {
        name: "cloudinit",
        enabled: false,
        reason: "Snapshot is not supported for this volumeSource type [cloudinit]",
      },
    ];
    const { cluster, provider } = setup({ volumes });
    const error = await provider.create(checkedInputs()).catch((e: unknown) => e);
    expect(String(error)).toMatch(/no volume of VM prod\/db-1 can be snapshotted/);
    expect(String(error)).toMatch(/- rootdisk: No VolumeSnapshotClass.*\[local\] \[rootdisk\]/);
    expect(String(error)).toMatch(/- cloudinit: Snapshot is not supported for this volumeSource type/);
    expect(String(error)).toMatch(/set allowEmpty: true/);
    expect(cluster.snapshots.size).toBe(0);
  });

  it("takes a configuration-only snapshot with allowEmpty", async () => {
    const volumes = [
      {
        name: "cloudinit",
        enabled: false,
        reason: "Snapshot is not supported for this volumeSource type [cloudinit]",
      },
    ];
    const { cluster, deps, provider } = setup({ volumes });
    playKubevirt(cluster, [
      firstStatus,
      locked(["GuestAgent", "Online"]),
      succeeded([], ["cloudinit"]),
      ready,
    ]);
    const result = await provider.create(checkedInputs({ allowEmpty: true }));
    expect(result.outs).toMatchObject({
      includedVolumes: [],
      excludedVolumes: ["cloudinit"],
      readyToUse: true,
    });
    expect(deps.logs.warn.join("\n")).toMatch(/allowEmpty is true: taking a configuration-only snapshot/);
  });

  it("warns about excluded volumes and reports them (PartialSnapshot)", async () => {
    const volumes = [
      { name: "rootdisk", enabled: true },
      {
        name: "hotplug",
        enabled: false,
        reason:
          "No VolumeSnapshotClass: Volume snapshots are not configured for this StorageClass [nfs] [hotplug]",
      },
    ];
    const { cluster, deps, provider } = setup({ volumes });
    playKubevirt(cluster, [
      firstStatus,
      locked(["GuestAgent", "Online"]),
      succeeded(["rootdisk"], ["hotplug"]),
      ready,
    ]);
    const result = await provider.create(checkedInputs());
    expect(result.outs).toMatchObject({ includedVolumes: ["rootdisk"], excludedVolumes: ["hotplug"] });
    expect(deps.logs.warn.join("\n")).toMatch(
      /will not be in the snapshot \(PartialSnapshot\):\n {2}- hotplug: No VolumeSnapshotClass/,
    );
  });

  it("returns at Succeeded with waitFor succeeded", async () => {
    const { cluster, provider } = setup();
    playKubevirt(cluster, [firstStatus, locked(["GuestAgent", "Online"]), succeeded()]);
    const result = await provider.create(checkedInputs({ waitFor: "succeeded" }));
    expect(result.outs).toMatchObject({ phase: "Succeeded", readyToUse: false });
  });

  it("explains how to enable the Snapshot feature gate", async () => {
    const { cluster, provider } = setup();
    cluster.featureGateOff = true;
    await expect(provider.create(checkedInputs())).rejects.toThrow(
      /"snapshot feature gate not enabled"\. The Snapshot feature gate is off\. Fix: .*developerConfiguration\.featureGates/s,
    );
  });

  it.each([
    [["v1alpha1"], "v1alpha1"],
    [["v1alpha1", "v1beta1"], "v1beta1"],
    [["v1", "v1alpha1", "v1beta1"], "v1"],
  ])("chooses the API version by discovery (%j → %s)", async (served, expected) => {
    const { cluster, provider } = setup();
    cluster.versions = served;
    playKubevirt(cluster, healthy(["GuestAgent", "Online"]));
    const result = await provider.create(checkedInputs());
    expect(result.outs["apiVersion"]).toBe(expected);
  });

  it("fails clearly when KubeVirt's snapshot API is not installed", async () => {
    const { cluster, provider } = setup();
    cluster.versions = [];
    await expect(provider.create(checkedInputs())).rejects.toThrow(
      /KubeVirt snapshot API not installed: snapshot\.kubevirt\.io is not served.*the API group is missing/,
    );
  });
});

describe("create: failures", () => {
  it("keeps a snapshot Failed by the deadline in state as a partial failure", async () => {
    const { cluster, provider } = setup();
    playKubevirt(cluster, [firstStatus, locked(["GuestAgent", "Online"]), deadlineExceeded]);
    const inputs = checkedInputs();
    const error = (await provider.create(inputs).catch((e: unknown) => e)) as PartialFailureError;
    expect(isProviderError(error)).toBe(true);
    expect(error.id).toBe("prod/before-upgrade-abc1234");
    expect(error.reasons).toEqual([error.message]);
    expect(error.properties).toMatchObject({
      __provider: inputs["__provider"],
      phase: "Failed",
      readyToUse: false,
      snapshotName: "before-upgrade-abc1234",
    });
    expect(containsUndefined(error.properties)).toBe(false);
    expect(error.message).toMatch(
      /\[before-upgrade\] VirtualMachineSnapshot prod\/before-upgrade-abc1234 of VM db-1 failed: snapshot deadline exceeded/,
    );
    expect(error.message).toMatch(/the next `pulumi up` deletes it and takes a new snapshot/);
    expect(cluster.snapshots.has("prod/before-upgrade-abc1234")).toBe(true);

    const diff = await provider.diff(error.id, error.properties, inputs);
    expect(diff).toMatchObject({ changes: true, replaces: ["phase"], deleteBeforeReplace: false });
  });

  it("reports a freeze error that lasted until the deadline with KubeVirt's error and the SELinux hint", async () => {
    const { cluster, provider } = setup();
    playKubevirt(cluster, [
      firstStatus,
      locked(["GuestAgent", "Online"]),
      contentError("Failed freezing vm: command Freeze failed: Permission denied"),
      deadlineExceeded,
    ]);
    const error = (await provider.create(checkedInputs()).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(
      /KubeVirt error: Failed freezing vm: command Freeze failed: Permission denied/,
    );
    expect(error.message).toMatch(/SELinux often denies qemu-ga/);
  });

  it("deletes the Failed snapshot and waits until it is gone with onFailure delete", async () => {
    const { cluster, provider } = setup();
    playKubevirt(cluster, [firstStatus, deadlineExceeded]);
    cluster.onDelete = (s) =>
      setTimeout(() => cluster.update("prod", s.metadata.name ?? "", (x) => (x.metadata.finalizers = [])), 2);
    const error = (await provider
      .create(checkedInputs({ onFailure: "delete" }))
      .catch((e: unknown) => e)) as Error;
    expect(error).not.toHaveProperty("id");
    expect(error.message).toMatch(
      /failed: snapshot deadline exceeded.*onFailure is "delete": the snapshot was deleted/s,
    );
    expect(cluster.snapshots.size).toBe(0);
  });

  it("stops at the local bound when KubeVirt never decides, keeping the snapshot as a partial failure", async () => {
    const { cluster, provider } = setup();
    playKubevirt(cluster, [firstStatus]);
    const error = (await provider
      .create(checkedInputs({ failureDeadline: "0", timeout: "150ms" }))
      .catch((e: unknown) => e)) as PartialFailureError;
    expect(error.reasons).toEqual([error.message]);
    expect(error.message).toMatch(/did not finish within 150ms \(phase InProgress, readyToUse false\)/);
    expect(error.properties).toMatchObject({ phase: "InProgress" });
  });

  it("fails when the snapshot is deleted out of band while waiting, leaving nothing in state", async () => {
    const { cluster, provider } = setup();
    playKubevirt(cluster, [
      firstStatus,
      (s) => setTimeout(() => cluster.remove("prod", s.metadata.name ?? ""), 1),
    ]);
    const error = (await provider.create(checkedInputs()).catch((e: unknown) => e)) as Error;
    expect(error).not.toHaveProperty("id");
    expect(error.message).toMatch(/failed: snapshot deleted/);
  });

  it("surfaces a permission error naming the verb", async () => {
    const { cluster, provider } = setup();
    cluster.failWith = { code: 403, verbs: ["create"] };
    await expect(provider.create(checkedInputs())).rejects.toThrow(/cannot create: HTTP 403/);
  });
});

describe("create: the wait starts from the create's answer", () => {
  /** Records the object each list of the wait was given (the create's answer, or none). */
  function recordLists(cluster: FakeCluster): (VirtualMachineSnapshot | undefined)[] {
    const given: (VirtualMachineSnapshot | undefined)[] = [];
    const list = cluster.listSnapshot.bind(cluster);
    cluster.listSnapshot = (ref: SnapshotRef, created?: VirtualMachineSnapshot) => {
      given.push(created);
      return list(ref);
    };
    return given;
  }

  it("hands the snapshot the API server answered the create with to the wait's first list", async () => {
    const { cluster, provider } = setup();
    const created: VirtualMachineSnapshot[] = [];
    const create = cluster.createSnapshot.bind(cluster);
    cluster.createSnapshot = async (version, body) => {
      const answer = await create(version, body);
      created.push(answer);
      return answer;
    };
    const given = recordLists(cluster);
    playKubevirt(cluster, healthy(["GuestAgent", "Online"]));
    await provider.create(checkedInputs());
    expect(created).toHaveLength(1);
    expect(given).toEqual([created[0]]);
  });

  it("hands nothing to the wait of a snapshot it adopted (a 409 on its own leftover)", async () => {
    const { cluster, provider } = setup();
    await cluster.createSnapshot("v1beta1", {
      metadata: {
        namespace: "prod",
        name: "before-upgrade-abc1234",
        annotations: { "pulumi-kubevirt-snapshot.io/owner": "proj/dev/before-upgrade" },
      },
      spec: { source: { apiGroup: "kubevirt.io", kind: "VirtualMachine", name: "db-1" } },
    });
    const given = recordLists(cluster);
    cluster.update("prod", "before-upgrade-abc1234", firstStatus);
    setTimeout(() => {
      cluster.update("prod", "before-upgrade-abc1234", succeeded());
      cluster.update("prod", "before-upgrade-abc1234", ready);
    }, 5);
    await provider.create(checkedInputs());
    expect(given).toEqual([undefined]);
  });
});

describe("create: idempotency", () => {
  it("adopts its own snapshot left by an interrupted run and keeps waiting", async () => {
    const { cluster, deps, provider } = setup();
    await cluster.createSnapshot("v1beta1", {
      metadata: {
        namespace: "prod",
        name: "before-upgrade-abc1234",
        annotations: { "pulumi-kubevirt-snapshot.io/owner": "proj/dev/before-upgrade" },
      },
      spec: { source: { apiGroup: "kubevirt.io", kind: "VirtualMachine", name: "db-1" } },
    });
    cluster.update("prod", "before-upgrade-abc1234", firstStatus);
    setTimeout(() => {
      cluster.update("prod", "before-upgrade-abc1234", succeeded());
      cluster.update("prod", "before-upgrade-abc1234", ready);
    }, 5);
    const result = await provider.create(checkedInputs());
    expect(result.outs).toMatchObject({ readyToUse: true });
    expect(deps.logs.info.join("\n")).toMatch(
      /adopting prod\/before-upgrade-abc1234, left by an earlier interrupted run/,
    );
  });

  it("refuses a name that belongs to something else with a 409 message", async () => {
    const { cluster, provider } = setup();
    await cluster.createSnapshot("v1beta1", {
      metadata: {
        namespace: "prod",
        name: "nightly",
        annotations: { "pulumi-kubevirt-snapshot.io/owner": "other/prod/nightly" },
      },
      spec: { source: { apiGroup: "kubevirt.io", kind: "VirtualMachine", name: "db-1" } },
    });
    await expect(provider.create(checkedInputs({ name: "nightly", autoNamed: false }))).rejects.toThrow(
      /409 Conflict: a VirtualMachineSnapshot named "nightly" already exists in prod and it belongs to "other\/prod\/nightly".*Nothing was changed/s,
    );
  });
});

describe("create: the snapshot cannot be followed", () => {
  it("keeps a created snapshot in state as a partial failure when watching is forbidden", async () => {
    const { cluster, provider } = setup();
    playKubevirt(cluster, [firstStatus]);
    cluster.failWith = { code: 403, verbs: ["watch"] };
    const error = (await provider
      .create(checkedInputs({ onFailure: "delete" }))
      .catch((e: unknown) => e)) as PartialFailureError;
    expect(error.id).toBe("prod/before-upgrade-abc1234");
    expect(error.message).toMatch(
      /created VirtualMachineSnapshot prod\/before-upgrade-abc1234 but could not follow it: cannot watch: HTTP 403/,
    );
    expect(error.properties).toMatchObject({
      __provider: checkedInputs()["__provider"],
      snapshotName: "before-upgrade-abc1234",
    });
    expect(cluster.snapshots.has("prod/before-upgrade-abc1234")).toBe(true);
  });
});
