import * as pulumi from "@pulumi/pulumi";
import { VMSnapshot } from "../../sdk";

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
          state: { ...args.inputs, phase: "Succeeded", readyToUse: true },
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
    expect(String(r.inputs["__provider"]).length).toBeLessThanOrEqual(1024);
  });
});
