import * as pulumi from "@pulumi/pulumi";
import { VMRestore, VMSnapshot } from "../../../sdk";
import { RESTORE_PROVIDER_TEXT, SNAPSHOT_PROVIDER_TEXT } from "../../../sdk/serialized-provider";

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

const registered: Registered[] = [];

beforeAll(() => {
  void pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs as Record<string, unknown> });
        return {
          id: `${String(args.inputs["namespace"])}/snap`,
          state: {
            ...args.inputs,
            phase: "Succeeded",
            readyToUse: true,
            snapshotName: args.inputs["snapshotName"] ?? `${args.name}-abc1234`,
            complete: true,
          },
        };
      },
      call: () => ({}),
    },
    "proj",
    "dev",
  );
});

const unwrap = <T>(o: pulumi.Output<T>): Promise<T> => new Promise((resolve) => o.apply(resolve));

describe("VMSnapshot", () => {
  it("registers its own type token with the inputs, its name, owner and a small serialized provider", async () => {
    const snap = new VMSnapshot("before-upgrade", {
      namespace: "prod",
      vmName: pulumi.output("db-1"),
      failureDeadline: "10m",
      triggers: [pulumi.output("v2")],
    });
    expect(await unwrap(snap.phase)).toBe("Succeeded");
    expect(await unwrap(snap.readyToUse)).toBe(true);
    const r = registered.find((x) => x.name === "before-upgrade")!;
    expect(r.type).toBe("pulumi-nodejs:dynamic/kubevirt-snapshot:VMSnapshot");
    expect(r.inputs).toMatchObject({
      namespace: "prod",
      vmName: "db-1",
      failureDeadline: "10m",
      triggers: ["v2"],
      resourceName: "before-upgrade",
      owner: "proj/dev/before-upgrade",
    });
    expect(r.inputs["__provider"]).toBe(SNAPSHOT_PROVIDER_TEXT);
    expect(Buffer.byteLength(SNAPSHOT_PROVIDER_TEXT)).toBeLessThanOrEqual(256);
  });
});

describe("VMRestore", () => {
  it("takes the snapshot's name and namespace from a VMSnapshot resource and registers its own type", async () => {
    const snap = new VMSnapshot("nightly", { namespace: "prod", vmName: "db-1" });
    const restore = new VMRestore("rollback", { snapshot: snap, targetReadinessPolicy: "StopTarget" });
    expect(await unwrap(restore.complete)).toBe(true);
    const r = registered.find((x) => x.name === "rollback")!;
    expect(r.type).toBe("pulumi-nodejs:dynamic/kubevirt-snapshot:VMRestore");
    expect(r.inputs).toMatchObject({
      snapshotName: "nightly-abc1234",
      namespace: "prod",
      targetReadinessPolicy: "StopTarget",
      resourceName: "rollback",
      owner: "proj/dev/rollback",
    });
    expect(r.inputs).not.toHaveProperty("snapshot");
    expect(r.inputs["__provider"]).toBe(RESTORE_PROVIDER_TEXT);
    expect(RESTORE_PROVIDER_TEXT).toContain("loadRestore");
  });

  it("accepts a snapshot by name and namespace", async () => {
    const restore = new VMRestore("by-name", {
      snapshotName: "manual-1",
      namespace: "prod",
      targetVmName: "db-2",
    });
    expect(await unwrap(restore.complete)).toBe(true);
    expect(registered.find((x) => x.name === "by-name")!.inputs).toMatchObject({
      snapshotName: "manual-1",
      namespace: "prod",
      targetVmName: "db-2",
    });
  });
});
