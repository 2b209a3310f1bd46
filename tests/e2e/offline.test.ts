/** examples/offline with the real CLI: a stopped VM gets an offline snapshot, kept (Retain) after destroy. */
import { readFileSync } from "node:fs";
import { createNamespace, createVm, leftovers, vmReady, type Admin } from "../ground/fixtures";
import type { Ground } from "../ground/ground";
import { readyGround } from "../ground/suite";
import { createProject, type PulumiProject } from "./pulumi";

let ground: Ground;
let a: Admin;
let project: PulumiProject | undefined;

beforeAll(async () => {
  ({ ground, a } = await readyGround());
});
afterAll(async () => {
  project?.remove();
  await ground?.stop();
});

it("takes an offline snapshot of a stopped VM and retains its content after destroy", async () => {
  await createNamespace(a, "off");
  await createVm(a, "off", { name: "stopped-vm", running: false });
  await vmReady(a, "off", "stopped-vm", false);
  project = await createProject("offline", readFileSync(ground.adminKubeconfig, "utf8"), {
    namespace: "off",
  });
  const up = await project.ok(["up", "--yes"]);
  expect(up.stdout).toMatch(/VM off\/stopped-vm is stopped: taking an offline snapshot/);
  const out = JSON.parse((await project.ok(["stack", "output", "--json"])).stdout) as Record<string, unknown>;
  expect(out).toMatchObject({ online: false, readyToUse: true, includedVolumes: ["rootdisk"] });
  await project.ok(["destroy", "--yes"]);
  const left = await leftovers(a, "off");
  expect(left.snapshots).toEqual([]);
  expect(left.contents).toHaveLength(1);
  expect(left.volumeSnapshots).toHaveLength(1);
});
