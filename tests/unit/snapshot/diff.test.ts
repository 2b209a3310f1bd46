import { diffSnapshot } from "../../../provider/snapshot/diff";
import { UNKNOWN_VALUE } from "../../../provider/core/constants";

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

  it.each([
    ["stored, absent from the new inputs", olds, { failureDeadline: undefined, deletionPolicy: undefined }],
    ["absent from state, given in the new inputs", { ...olds, failureDeadline: undefined }, {}],
    [
      "absent on both sides, with a value unknown in preview",
      { ...olds, failureDeadline: undefined, deletionPolicy: undefined, waitFor: undefined },
      { failureDeadline: undefined, deletionPolicy: undefined, waitFor: undefined, labels: UNKNOWN_VALUE },
    ],
  ])("compares inputs at their defaults as the defaults: %s", (_label, stored, change) => {
    const outcome = diffSnapshot(stored, { ...olds, ...change });
    expect(outcome.replaces).toEqual([]);
    expect(outcome.changes).toBe(Object.values(change).includes(UNKNOWN_VALUE));
  });
  it("replaces when a non-default value is removed from the program", () => {
    const stored = { ...olds, failureDeadline: "10m", deletionPolicy: "Retain" };
    const { failureDeadline: _f, deletionPolicy: _d, ...news } = olds;
    expect(diffSnapshot(stored, news).replaces).toEqual(["failureDeadline", "deletionPolicy"]);
  });
});
