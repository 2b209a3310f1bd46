/**
 * Issue 10's fault matrix with the real Pulumi CLI against the ground: each point of a VMSnapshot's life
 * (before the create call, created but not ready, mid-replacement, mid-delete, mid-pruning of history) is
 * HELD by the test (the program's gate file, the VM's `hold-ready` scenario, a test-owned finalizer), then
 * pulumi gets SIGKILL, SIGTERM or SIGINT, or its dynamic-provider host SIGKILL. Each cell checks that no
 * provider host outlives the run, recovers as the README says (a locked stack: `pulumi cancel --yes`; then
 * `pulumi up --yes`, or `pulumi destroy --yes` for a delete), and checks that the snapshots the resource owns
 * are exactly those its state accounts for, and that a destroy leaves nothing. Then the other ways a run is
 * cut short: the apiserver unreachable during a delete (a proxy in front of it switched off while a test-owned
 * finalizer holds the deletion), two stacks snapshotting one VM at the same time, and the `pulumi refresh` ways
 * out of a pending create left by a SIGKILLed `pulumi up`. The table of what each cell left is printed at the
 * end (faults-support.ts has the machinery).
 */
import { existsSync, writeFileSync } from "node:fs";
import { createNamespace, createVm, leftovers, nothingLeft, vmReady } from "../ground/fixtures";
import {
  account,
  deletionSeen,
  DESTROY,
  heldLine,
  holdReady,
  interrupt,
  newCell,
  ownedSnapshots,
  recover,
  remember,
  settle,
  setHoldFinalizer,
  SIGNALS,
  snapshotUrn,
  startSuite,
  stateName,
  stateOf,
  stopSuite,
  suiteProject,
  trace,
  untilTrue,
  UP,
  VM,
  matrix,
  type Cell,
  type CellSetup,
  type Row,
  type Running,
  type StateView,
  type Suite,
} from "./faults-support";

let s: Suite;
beforeAll(async () => {
  s = await startSuite();
});
afterAll(() => stopSuite(s, "Fault matrix"));

/** A point of the snapshot's life, held until released. */
interface Point {
  name: string;
  setup: CellSetup;
  prepare?(c: Cell): Promise<void>;
  command: string[];
  /** Resolves once the held state is observable. */
  held(c: Cell, run: Running): Promise<void>;
  release(c: Cell): Promise<void>;
  recovery: "up" | "destroy";
  /** Checks after the recovery, beyond the accounting. */
  after?(c: Cell, state: StateView): Promise<void>;
}

const POINTS: Point[] = [
  {
    name: "1 before the create call",
    setup: { gate: true },
    command: UP,
    held: (c, run) =>
      untilTrue("the gate waiting", () => {
        if (run.hasExited()) throw new Error(`pulumi exited before the gate:\n${run.output()}`);
        return existsSync(`${c.p.gateFile}.waiting`);
      }),
    release: async (c) => writeFileSync(c.p.gateFile, "go"),
    recovery: "up",
  },
  {
    name: "2 created, not ready",
    setup: { annotations: { "sim.kvsnap.io/hold-ready": "true" } },
    command: UP,
    async held(c, run) {
      await run.waitFor(heldLine(c));
      c.names.push(...(await ownedSnapshots(s.a, c.ns, c.p.owner)).map((o) => o.metadata.name as string));
    },
    release: (c) => holdReady(s.a, c.ns, VM, false),
    recovery: "up",
    // Recorded by the run (SIGTERM/SIGINT) or taken over by the next create: the held snapshot, no other.
    after: async (c, state) => expect(state.names).toEqual(c.names),
  },
  {
    name: "3 replacement: new made, old not deleted",
    setup: { config: { trigger: "v1" } },
    async prepare(c) {
      await c.p.ok(UP);
      c.names.push(await stateName(c));
      await holdReady(s.a, c.ns, VM, true);
      await c.p.ok(["config", "set", "trigger", "v2"]);
    },
    command: UP,
    async held(c, run) {
      await run.waitFor(heldLine(c, `(?!${c.names[0]})faulted-[a-z0-9]{7}`));
      const owned = (await ownedSnapshots(s.a, c.ns, c.p.owner)).map((o) => o.metadata.name as string);
      expect(owned).toHaveLength(2);
      c.names.push(...owned.filter((n) => n !== c.names[0]));
    },
    release: (c) => holdReady(s.a, c.ns, VM, false),
    recovery: "up",
    // The replacement is the snapshot the interrupted run was taking; the old one is gone.
    async after(c, state) {
      expect(state.resources).toHaveLength(1);
      expect(state.names).toEqual([c.names[1]]);
    },
  },
  {
    name: "4 delete (destroy waiting)",
    setup: {},
    async prepare(c) {
      await c.p.ok(UP);
      c.names.push(await stateName(c));
      await setHoldFinalizer(s.a, c.ns, c.names[0]!, true);
    },
    command: DESTROY,
    held: (c) => deletionSeen(s.a, c.ns, c.names[0]!),
    release: (c) => setHoldFinalizer(s.a, c.ns, c.names[0]!, false),
    recovery: "destroy",
  },
  {
    name: "5 history pruning (history: 1)",
    setup: { config: { trigger: "v1", history: "1" } },
    async prepare(c) {
      await c.p.ok(UP);
      c.names.push(await stateName(c));
      await c.p.ok(["config", "set", "trigger", "v2"]);
      await c.p.ok(UP);
      await setHoldFinalizer(s.a, c.ns, c.names[0]!, true);
      await c.p.ok(["config", "set", "trigger", "v3"]);
    },
    command: UP,
    async held(c, run) {
      await deletionSeen(s.a, c.ns, c.names[0]!);
      await run.waitFor(/pruning history snapshot/);
      const owned = (await ownedSnapshots(s.a, c.ns, c.p.owner)).map((o) => o.metadata.name as string);
      c.names.push(...owned.filter((n) => n !== c.names[0]));
    },
    release: (c) => setHoldFinalizer(s.a, c.ns, c.names[0]!, false),
    recovery: "up",
    // The new snapshot (the one the interrupted run took) and the kept history; the pruned one is gone.
    async after(c, state) {
      expect(state.resources[0]?.["outputs"]?.["keptHistory"]).toHaveLength(1);
      expect(state.names).toEqual(c.names.slice(1).sort());
    },
  },
];

const CELLS = POINTS.flatMap((point) => SIGNALS.map((signal) => ({ point, signal })));
/** The cells, made ahead: the next one's namespace, VM and project while the current one runs. */
const made = new Map<number, Promise<Cell>>();
function cellAt(i: number): Promise<Cell> {
  let cell = made.get(i);
  if (!cell) {
    cell = newCell(s, CELLS[i]!.point.setup);
    cell.catch(() => undefined); // its own test reports a failure
    made.set(i, cell);
  }
  return cell;
}

/** Runs one point × signal cell. */
async function faultCell(i: number): Promise<void> {
  const { point, signal } = CELLS[i]!;
  const c = await cellAt(i);
  if (i + 1 < CELLS.length) void cellAt(i + 1);
  trace(c.ns, `${point.name} × ${signal}`);
  await point.prepare?.(c);
  const { row, hostsLeft } = await interrupt(c, {
    point: point.name,
    command: point.command,
    held: (run) => point.held(c, run),
    release: () => point.release(c),
    signal,
  });
  const steps: string[] = [];
  try {
    await recover(c, point.recovery, steps);
  } catch (e) {
    matrix.push({
      ...row,
      orphansAfter: "recovery failed",
      missingAfter: "-",
      pendingAfter: "-",
      recovery: steps.join(" → "),
    });
    throw e;
  }
  await settle(c, row, steps, point.after);
  expect(hostsLeft.map((h) => h.cmdline)).toEqual([]);
}

describe("fault matrix: point × signal, then the README's recovery", () => {
  CELLS.forEach(({ point, signal }, i) => it(`${point.name} × ${signal}`, () => faultCell(i)));
});

describe("apiserver unreachable during a delete", () => {
  it.each([
    ["back within deleteTimeout", "2m", true],
    ["out past deleteTimeout", "10s", false],
  ])("%s", async (what, deleteTimeout, backInTime) => {
    const c = await newCell(s, { viaProxy: true, config: { deleteTimeout } });
    await c.p.ok(UP);
    const name = await stateName(c);
    await setHoldFinalizer(s.a, c.ns, name, true);
    const run = c.p.start(DESTROY);
    await deletionSeen(s.a, c.ns, name);
    s.proxy.setReachable(false);
    let end: Awaited<Running["exited"]>;
    try {
      if (backInTime) {
        await setHoldFinalizer(s.a, c.ns, name, false);
        await untilTrue("the snapshot gone", async () => (await leftovers(s.a, c.ns)).snapshots.length === 0);
        await new Promise((r) => setTimeout(r, 5_000)); // the delete retries meanwhile
        s.proxy.setReachable(true);
        end = await run.exited;
      } else {
        end = await run.exited;
        expect(end.output).toMatch(/its deletion was requested, but the cluster could not be reached/);
        remember("a delete past deleteTimeout", end.output, /error: [^\n]*could not be reached[^\n]*/);
      }
    } finally {
      s.proxy.setReachable(true);
    }
    await setHoldFinalizer(s.a, c.ns, name, false);
    const ended = end.signal ?? `exit ${end.code}`;
    const steps = [`destroy: ${ended}`];
    const row: Row = {
      point: `6 apiserver unreachable during a delete, ${what}`,
      signal: "-",
      ended,
      locked: c.p.locks().length > 0,
      hostsLeft: 0,
      othersLeft: 0,
      ownedBefore: (await ownedSnapshots(s.a, c.ns, c.p.owner)).length,
    };
    if (backInTime) expect(end.code).toBe(0);
    else {
      expect(end.code).not.toBe(0);
      await recover(c, "destroy", steps);
    }
    await settle(c, row, steps);
  });
});

describe("two stacks, one VM", () => {
  it("both ups at once end readyToUse with a snapshot each; each destroy removes only its own", async () => {
    const ns = `f${++s.cells}`;
    await createNamespace(s.a, ns);
    await createVm(s.a, ns, { name: VM });
    await vmReady(s.a, ns, VM);
    const [p1, p2] = await Promise.all(
      ["faults-one", "faults-two"].map((projectName) =>
        suiteProject(s, { namespace: ns, vmName: VM }, { projectName }),
      ),
    );
    const ends = await Promise.all([p1!.run(["up", "--yes"]), p2!.run(["up", "--yes"])]);
    expect(ends.map((e) => e.code)).toEqual([0, 0]);
    const names = [];
    for (const p of [p1!, p2!]) {
      const acc = await account(s.a, ns, p);
      expect(acc.owned).toHaveLength(1);
      expect(acc.state.names).toEqual(acc.owned);
      expect(acc.state.resources[0]?.["outputs"]?.["readyToUse"]).toBe(true);
      names.push(acc.owned[0]);
    }
    expect((await leftovers(s.a, ns)).snapshots).toEqual([...names].sort());
    await p1!.ok(["destroy", "--yes"]);
    expect((await leftovers(s.a, ns)).snapshots).toEqual([names[1]]);
    await p2!.ok(["destroy", "--yes"]);
    await nothingLeft(s.a, ns);
    matrix.push({
      point: "two stacks, one VM, ups at once",
      signal: "-",
      ended: "exit 0, exit 0",
      locked: false,
      hostsLeft: 0,
      othersLeft: 0,
      ownedBefore: 2,
      orphansAfter: 0,
      missingAfter: 0,
      pendingAfter: 0,
      recovery: "destroy one, then the other",
    });
  });
});

describe("pulumi refresh after a pending create (pulumi SIGKILLed at 'created, not ready')", () => {
  /** Point 2 × SIGKILL pulumi, released, the stack unlocked: the state holds a pending create. */
  async function pendingCreate(point: string): Promise<{ c: Cell; name: string; steps: string[]; row: Row }> {
    const c = await newCell(s, { annotations: { "sim.kvsnap.io/hold-ready": "true" } });
    const { row } = await interrupt(c, {
      point,
      command: UP,
      held: (run) => run.waitFor(heldLine(c)),
      release: () => holdReady(s.a, c.ns, VM, false),
      signal: "SIGKILL pulumi",
    });
    expect(row.locked).toBe(true);
    await c.p.ok(["cancel", "--yes"]);
    const { pending } = await stateOf(c.p);
    expect(pending.map((op) => op.type)).toEqual(["creating"]);
    return { c, name: pending[0]!.name!, steps: ["cancel --yes"], row };
  }

  it("refresh --clear-pending-creates, then up", async () => {
    const { c, steps, row } = await pendingCreate("2, then refresh --clear-pending-creates + up");
    await c.p.ok(["refresh", "--yes", "--clear-pending-creates"]);
    expect((await stateOf(c.p)).pending).toEqual([]);
    await c.p.ok(["up", "--yes"]);
    steps.push("refresh --clear-pending-creates", "up --yes");
    await settle(c, row, steps);
  });

  it("refresh --import-pending-creates <urn> --import-pending-creates <namespace>/<name>, then up and destroy", async () => {
    const { c, name, steps, row } = await pendingCreate("2, then refresh --import-pending-creates + up");
    const urn = snapshotUrn();
    // The flag is a list URN, ID, URN, ID, ... of one value per flag: a comma does not pair them.
    const comma = await c.p.run(["refresh", "--yes", "--import-pending-creates", `${urn},${c.ns}/${name}`]);
    expect(comma.code).not.toBe(0);
    remember("refresh --import-pending-creates '<urn>,<id>'", comma.stdout, /error: [^\n]*/);
    await c.p.ok([
      "refresh",
      "--yes",
      "--import-pending-creates",
      urn,
      "--import-pending-creates",
      `${c.ns}/${name}`,
    ]);
    steps.push("refresh --import-pending-creates <urn> --import-pending-creates <namespace>/<name>");
    const imported = await account(s.a, c.ns, c.p);
    expect(imported.state.pending).toEqual([]);
    if (imported.state.names.length === 0) {
      // Pulumi v3.276.0 turns the pending create into an "importing" operation that its refresh never reads
      // and its state never keeps: no read reaches the provider. The snapshot still carries the pending marker,
      // so the next `pulumi up` takes it over, as the README says.
      expect(imported.orphans).toEqual([name]);
      await c.p.ok(["up", "--yes"]);
      steps.push("(pending create dropped, no read) up --yes");
    }
    expect((await stateOf(c.p)).names).toEqual([name]);
    await settle(c, row, steps);
  });
});
