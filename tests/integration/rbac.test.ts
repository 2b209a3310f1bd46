/**
 * A non-admin user with the documented least-privilege Role (rbac/vmsnapshot-role.yaml) can take and
 * delete snapshots; without `watch` or `create` the error names the verb and the resource.
 */
import { readFileSync } from "node:fs";
import { startProviderHost } from "../support/host-client";
import {
  createNamespace,
  createVm,
  grantRole,
  leftovers,
  nothingLeft,
  vmReady,
  type Admin,
} from "../ground/fixtures";
import type { Ground } from "../ground/ground";
import { readyGround } from "../ground/suite";

let ground: Ground;
let a: Admin;

beforeAll(async () => {
  ({ ground, a } = await readyGround());
});
afterAll(async () => ground?.stop());

async function attempt(ns: string, withoutVerbs: string[]) {
  await createNamespace(a, ns);
  await createVm(a, ns, { name: "db-1" });
  await vmReady(a, ns, "db-1");
  await grantRole(a, ns, withoutVerbs);
  const host = await startProviderHost({
    "pulumi-kubevirt-snapshot:kubeconfig": readFileSync(ground.userKubeconfig, "utf8"),
  });
  const check = await host.call("check", undefined, {
    namespace: ns,
    vmName: "db-1",
    resourceName: "snap",
    owner: "itest/dev/snap",
    timeout: "20s",
    __provider: host.providerText,
  });
  return { host, inputs: check.inputs };
}

it("works for kvsnap-user with the least-privilege Role", async () => {
  const { host, inputs } = await attempt("rbac-ok", []);
  try {
    const created = await host.call("create", inputs);
    expect(created.outs).toMatchObject({ readyToUse: true });
    expect(
      await host.call("read", created.id, { ...created.outs, __provider: host.providerText }),
    ).toMatchObject({ id: created.id });
    await host.call("delete", created.id, { ...created.outs, __provider: host.providerText });
    await nothingLeft(a, "rbac-ok");
  } finally {
    await host.stop();
  }
});

it("names the verb and resource when watch is not granted, keeping the created snapshot in state", async () => {
  const { host, inputs } = await attempt("rbac-nowatch", ["watch"]);
  try {
    const error = await host.fail("create", inputs);
    expect(error.message).toMatch(
      /cannot watch virtualmachinesnapshots\.snapshot\.kubevirt\.io in namespace "rbac-nowatch": HTTP 403/,
    );
    expect(error.message).toMatch(/grant the verb "watch"/);
    expect(error.id).toBe(`rbac-nowatch/${String(inputs.name)}`);
    expect(error.properties).toMatchObject({ __provider: host.providerText, snapshotName: inputs.name });
    expect((await leftovers(a, "rbac-nowatch")).snapshots).toEqual([inputs.name]);
  } finally {
    await host.stop();
  }
});

it("names the verb and resource when create is not granted, and creates nothing", async () => {
  const { host, inputs } = await attempt("rbac-nocreate", ["create"]);
  try {
    const error = await host.fail("create", inputs);
    expect(error.message).toMatch(
      /cannot create virtualmachinesnapshots\.snapshot\.kubevirt\.io ".*" in namespace "rbac-nocreate": HTTP 403 Forbidden: .*cannot create resource "virtualmachinesnapshots"/,
    );
    await nothingLeft(a, "rbac-nocreate");
  } finally {
    await host.stop();
  }
});
