import { formatDuration, parseDuration } from "../../shared/duration";
import { isDns1123Label, isDns1123Subdomain, isQualifiedKey } from "../../shared/names";
import { diffSnapshot } from "../../provider/snapshot/diff";
import { sameValue } from "../../provider/core/diff";
import { autoName } from "../../provider/core/naming";
import { sanitize } from "../../provider/core/sanitize";
import { snapshotVerdict } from "../../provider/snapshot/verdict";
import type { VirtualMachineSnapshot } from "../../provider/kube/types";
import { UNKNOWN_VALUE } from "../../provider/core/constants";
import { metadataPatch } from "../../provider/snapshot/manifest";
import { progressSummary, ProgressReporter } from "../../provider/core/progress";
import { consistencyOf } from "../../provider/snapshot/consistency";

describe("parseDuration", () => {
  it.each([
    ["5m", 300_000],
    ["300s", 300_000],
    ["1h30m", 5_400_000],
    ["1.5h", 5_400_000],
    ["250ms", 250],
    ["0", 0],
    ["-1m", -60_000],
    ["2h0m0s", 7_200_000],
  ])("parses %j as %d ms", (text, ms) => expect(parseDuration(text)).toBe(ms));
  it.each(["", "5", "5 m", "1d", "m", "5m3", "abc", "1e3s"])("rejects %j", (text) =>
    expect(parseDuration(text)).toBeUndefined(),
  );
  it.each([
    [450, "450ms"],
    [90_000, "1m30s"],
    [7_200_000, "2h"],
    [0, "0ms"],
  ])("formats %d ms as %s", (ms, text) => expect(formatDuration(ms)).toBe(text));
});

describe("names", () => {
  it.each([
    ["prod", true],
    ["a-b-1", true],
    ["Prod", false],
    ["-a", false],
    ["a_b", false],
    ["a".repeat(63), true],
    ["a".repeat(64), false],
  ])("DNS-1123 label %j → %s", (v, ok) => expect(isDns1123Label(v)).toBe(ok));
  it.each([
    ["db-1", true],
    ["db.example-1", true],
    ["db..1", false],
    ["DB", false],
  ])("DNS-1123 subdomain %j → %s", (v, ok) => expect(isDns1123Subdomain(v)).toBe(ok));
  it.each([
    ["team", true],
    ["example.com/team", true],
    ["Example.com/team", false],
    ["a b", false],
  ])("qualified key %j → %s", (v, ok) => expect(isQualifiedKey(v)).toBe(ok));
  it.each([
    ["before-upgrade", "x1", "before-upgrade-x1"],
    ["Before Upgrade!", "x1", "before-upgrade-x1"],
    ["___", "x1", "vmsnapshot-x1"],
    ["a".repeat(100), "abcdefg", `${"a".repeat(55)}-abcdefg`],
  ])("autoName(%j, %j) = %j", (name, sfx, expected) => {
    expect(autoName(name, sfx)).toBe(expected);
    expect(isDns1123Label(autoName(name, sfx))).toBe(true);
  });
});

const snap = (status: VirtualMachineSnapshot["status"], deleting = false): VirtualMachineSnapshot => ({
  metadata: { name: "s", namespace: "n", ...(deleting ? { deletionTimestamp: "t" } : {}) },
  spec: { source: { apiGroup: "kubevirt.io", kind: "VirtualMachine", name: "vm" } },
  ...(status ? { status } : {}),
});
const failure = { type: "Failure", status: "True", reason: "snapshot deadline exceeded" };

describe("snapshotVerdict", () => {
  it.each([
    ["no status yet", snap(undefined), "readyToUse", "pending"],
    ["InProgress", snap({ phase: "InProgress" }), "readyToUse", "pending"],
    [
      "Succeeded, not ready, waiting for readyToUse",
      snap({ phase: "Succeeded", readyToUse: false }),
      "readyToUse",
      "pending",
    ],
    [
      "Succeeded, not ready, waiting for succeeded",
      snap({ phase: "Succeeded", readyToUse: false }),
      "succeeded",
      "done",
    ],
    ["ready", snap({ phase: "Succeeded", readyToUse: true }), "readyToUse", "done"],
    ["Failed", snap({ phase: "Failed", conditions: [failure] }), "readyToUse", "failed"],
    [
      "Failure condition before phase",
      snap({ phase: "InProgress", conditions: [failure] }),
      "succeeded",
      "failed",
    ],
    ["Deleting", snap({ phase: "Deleting" }), "readyToUse", "failed"],
    ["deletionTimestamp", snap({ phase: "InProgress" }, true), "readyToUse", "failed"],
    ["gone", undefined, "readyToUse", "failed"],
  ] as const)("%s → %s", (_label, object, waitFor, kind) => {
    expect(snapshotVerdict(object, waitFor).kind).toBe(kind);
  });
  it("carries the Failure reason and KubeVirt's error message", () => {
    expect(
      snapshotVerdict(
        snap({ phase: "Failed", conditions: [failure], error: { message: "boom" } }),
        "readyToUse",
      ),
    ).toEqual({
      kind: "failed",
      reason: "snapshot deadline exceeded",
      message: "boom",
    });
  });
  it("reports the Progressing reason and a transient error while pending", () => {
    const v = snapshotVerdict(
      snap({
        phase: "InProgress",
        error: { message: "freeze" },
        conditions: [{ type: "Progressing", status: "False", reason: "In error state" }],
      }),
      "readyToUse",
    );
    expect(v).toEqual({ kind: "pending", progressing: "In error state", transientError: "freeze" });
  });
});

const olds = {
  namespace: "prod",
  vmName: "db-1",
  name: "s-abc",
  autoNamed: true,
  failureDeadline: "5m",
  deletionPolicy: "Delete",
  triggers: ["v1"],
  waitFor: "readyToUse",
  labels: { a: "b" },
  phase: "Succeeded",
  readyToUse: true,
  __provider: "p",
};

describe("diffSnapshot", () => {
  it.each([
    ["nothing", {}, false, [], false],
    ["a trigger", { triggers: ["v2"] }, true, ["triggers"], false],
    ["vmName", { vmName: "db-2" }, true, ["vmName"], false],
    ["failureDeadline", { failureDeadline: "10m" }, true, ["failureDeadline"], false],
    ["deletionPolicy", { deletionPolicy: "Retain" }, true, ["deletionPolicy"], false],
    ["labels only", { labels: { a: "c" } }, true, [], false],
    ["waitFor only (stored, no replace)", { waitFor: "succeeded" }, true, [], false],
    ["an unknown trigger (preview)", { triggers: UNKNOWN_VALUE }, true, ["triggers"], false],
    ["a fixed name kept across a replace", { autoNamed: false, triggers: ["v2"] }, true, ["triggers"], true],
    ["the provider code", { __provider: "q" }, true, [], false],
  ])("change of %s", (_label, change, changes, replaces, dbr) => {
    expect(diffSnapshot(olds, { ...olds, ...change })).toEqual({
      changes,
      replaces,
      deleteBeforeReplace: dbr,
    });
  });
  it("treats absent and empty labels as the same", () => {
    expect(diffSnapshot({ ...olds, labels: undefined }, { ...olds, labels: {} })).toEqual({
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
  });
  it.each([
    ["Failed", { phase: "Failed", readyToUse: false }, "readyToUse", ["phase"]],
    ["no longer readyToUse", { readyToUse: false }, "readyToUse", ["readyToUse"]],
    ["not ready but waitFor succeeded", { readyToUse: false }, "succeeded", []],
    [
      "InProgress after a timeout, waitFor succeeded",
      { phase: "InProgress", readyToUse: false },
      "succeeded",
      ["phase"],
    ],
  ])("replaces on the live state: %s", (_label, state, waitFor, replaces) => {
    expect(diffSnapshot({ ...olds, ...state }, { ...olds, waitFor }).replaces).toEqual(replaces);
  });
  it("compares values structurally", () => {
    expect(sameValue({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBe(true);
    expect(sameValue(["a"], ["b"])).toBe(false);
  });
});

describe("sanitize", () => {
  it("drops undefined, stringifies dates and bigints, nulls undefined array items", () => {
    expect(
      sanitize({
        a: undefined,
        b: new Date("2026-01-02T03:04:05Z"),
        c: [1, undefined],
        d: { e: undefined, f: 1n },
        g: NaN,
      }),
    ).toEqual({
      b: "2026-01-02T03:04:05.000Z",
      c: [1, null],
      d: { f: "1" },
      g: null,
    });
  });
});

describe("metadataPatch", () => {
  const base = { owner: "o", labels: { a: "1" }, annotations: {} };
  it("is undefined when nothing changes", () => expect(metadataPatch(base, { ...base })).toBeUndefined());
  it("sets new values and removes dropped keys with null", () => {
    expect(metadataPatch(base, { owner: "o", labels: { b: "2" }, annotations: { n: "x" } })).toEqual({
      labels: { a: null, b: "2" },
      annotations: { n: "x" },
    });
  });
});

describe("progress", () => {
  it("summarises phase, Progressing reason, indications, readiness and error", () => {
    expect(
      progressSummary(
        snap({
          phase: "InProgress",
          indications: ["GuestAgent", "Online"],
          error: { message: "x" },
          conditions: [
            { type: "Progressing", status: "True", reason: "Source locked and operation in progress" },
          ],
        }),
      ),
    ).toBe(
      "phase InProgress; progressing: Source locked and operation in progress; indications: GuestAgent, Online; error: x",
    );
  });
  it("prints phase changes at once and throttles the rest", () => {
    const lines: string[] = [];
    let now = 0;
    const r = new ProgressReporter({
      prefix: "[r] ",
      log: { info: (l) => lines.push(l), warn: () => undefined },
      now: () => now,
      minIntervalMs: 1000,
    });
    r.observe(snap({ phase: "InProgress" }));
    r.observe(snap({ phase: "InProgress", indications: ["Online"] }));
    now = 1500;
    r.observe(snap({ phase: "InProgress", indications: ["GuestAgent", "Online"] }));
    r.observe(snap({ phase: "Succeeded", indications: ["GuestAgent", "Online"] }));
    r.observe(snap({ phase: "Succeeded", indications: ["GuestAgent", "Online"] }));
    expect(lines).toEqual([
      "[r] phase InProgress",
      "[r] phase InProgress; indications: GuestAgent, Online",
      "[r] phase Succeeded; indications: GuestAgent, Online",
    ]);
  });
});

describe("consistencyOf", () => {
  const running = { online: true, guestAgentConnected: true };
  it.each([
    [
      "v1.9 VSS thaw limit",
      ["GuestAgent", "Online", "QuiesceTimeout"],
      running,
      "crash-consistent",
      /QuiesceTimeout/,
    ],
    [
      "v1.5-v1.7 failed freeze",
      ["GuestAgent", "NoGuestAgent", "Online", "QuiesceFailed"],
      running,
      "crash-consistent",
      /QuiesceFailed/,
    ],
    [
      "no agent",
      ["NoGuestAgent", "Online"],
      { online: true, guestAgentConnected: false },
      "crash-consistent",
      /NoGuestAgent/,
    ],
    ["paused", ["GuestAgent", "Online", "Paused"], running, "crash-consistent", /Paused/],
    ["frozen", ["GuestAgent", "Online"], running, "frozen", /^$/],
    ["offline", [], { online: false, guestAgentConnected: false }, "offline", /^$/],
    ["a version without indications, agent seen", [], running, "frozen", /^$/],
    [
      "a version without indications, no agent",
      [],
      { online: true, guestAgentConnected: false },
      "crash-consistent",
      /guest agent/,
    ],
  ])("%s", (_what, indications, observation, consistency, why) => {
    const verdict = consistencyOf(indications, observation, true);
    expect(verdict.consistency).toBe(consistency);
    expect(verdict.why).toMatch(why);
  });
  it("is empty until the snapshot is cut", () =>
    expect(consistencyOf(["Online"], running, false)).toEqual({ consistency: "", why: "" }));
});
