import { checkInputs } from "../../../provider/snapshot/check";
import { UNKNOWN_VALUE } from "../../../provider/core/constants";

const base = {
  namespace: "prod",
  vmName: "db-1",
  resourceName: "before-upgrade",
  owner: "p/s/before-upgrade",
  __provider: "text",
};
let n = 0;
const suffix = () => `sfx000${n++}`;

describe("check", () => {
  it("leaves out the inputs at their defaults and chooses an auto-name from the resource name", () => {
    const { inputs, failures } = checkInputs(undefined, base, () => "k3x9q2a");
    expect(failures).toEqual([]);
    expect(inputs).toEqual({ ...base, name: "before-upgrade-k3x9q2a", autoNamed: true });
  });

  it("leaves out an input the program sets to its default, and keeps one that differs", () => {
    const atDefaults = {
      failureDeadline: "5m",
      deleteTimeout: "5m",
      waitFor: "readyToUse",
      guestAgent: "prefer",
      whenVmMissing: "fail",
      deletionPolicy: "Delete",
      triggers: [],
      onFailure: "keep",
      allowEmpty: false,
      history: 0,
      retainHistoryOnDestroy: false,
      adopt: false,
    };
    const { inputs, failures } = checkInputs(undefined, { ...base, ...atDefaults }, () => "k3x9q2a");
    expect(failures).toEqual([]);
    expect(inputs).toEqual({ ...base, name: "before-upgrade-k3x9q2a", autoNamed: true });
    const changed = {
      failureDeadline: "10m",
      waitFor: "succeeded",
      triggers: ["v2"],
      history: 3,
      adopt: false,
    };
    expect(checkInputs(undefined, { ...base, ...changed }, () => "k3x9q2a").inputs).toEqual({
      ...base,
      failureDeadline: "10m",
      waitFor: "succeeded",
      triggers: ["v2"],
      history: 3,
      name: "before-upgrade-k3x9q2a",
      autoNamed: true,
    });
  });

  it("keeps the auto-name across updates and picks a new one when the engine re-checks without olds", () => {
    const first = checkInputs(undefined, base, suffix).inputs;
    const again = checkInputs(first, { ...base, labels: { a: "b" } }, suffix).inputs;
    expect(again["name"]).toBe(first["name"]);
    const replacement = checkInputs(undefined, base, suffix).inputs;
    expect(replacement["name"]).not.toBe(first["name"]);
  });

  it("uses the user's name, and leaves it for an auto-name when the user removes it", () => {
    const named = checkInputs(undefined, { ...base, name: "nightly" }, suffix).inputs;
    expect(named).toMatchObject({ name: "nightly", autoNamed: false });
    expect(checkInputs(named, base, suffix).inputs["name"]).toMatch(/^before-upgrade-sfx/);
  });

  it("reports every bad input at once, each with its property, value, allowed values and fix", () => {
    const { failures } = checkInputs(
      undefined,
      {
        ...base,
        namespace: "Prod",
        vmName: "db_1",
        failureDeadline: "5 minutes",
        waitFor: "ready",
        guestAgent: "always",
        deletionPolicy: "delete",
        onFailure: "retry",
        whenVmMissing: "create",
        colour: "red",
      },
      suffix,
    );
    const byProperty = Object.fromEntries(failures.map((f) => [f.property, f.reason]));
    expect(Object.keys(byProperty).sort()).toEqual([
      "colour",
      "deletionPolicy",
      "failureDeadline",
      "guestAgent",
      "namespace",
      "onFailure",
      "vmName",
      "waitFor",
      "whenVmMissing",
    ]);
    expect(byProperty["namespace"]).toMatch(/namespace is "Prod", which is not a DNS-1123 label/);
    expect(byProperty["vmName"]).toMatch(/vmName is "db_1", which is not a DNS-1123 subdomain/);
    expect(byProperty["failureDeadline"]).toMatch(
      /"5 minutes", which is not a non-negative Kubernetes duration.*"0" for no deadline.*Fix: write e\.g\. "10m"/,
    );
    expect(byProperty["waitFor"]).toBe(
      'waitFor is "ready"; allowed values: "readyToUse", "succeeded". Fix: set waitFor to one of them, or leave it unset for "readyToUse".',
    );
    expect(byProperty["deletionPolicy"]).toMatch(/allowed values: "Delete", "Retain"/);
    expect(byProperty["guestAgent"]).toMatch(/"always"; allowed values: "prefer", "require", "ignore"/);
    expect(byProperty["onFailure"]).toMatch(/"retry"; allowed values: "keep", "delete"/);
    expect(byProperty["whenVmMissing"]).toBe(
      'whenVmMissing is "create"; allowed values: "fail", "skip". Fix: set whenVmMissing to one of them, or leave it unset for "fail".',
    );
    expect(byProperty["colour"]).toMatch(
      /unknown input "colour"; VMSnapshot accepts: .*vmName.*Fix: remove it/,
    );
  });

  it.each([
    ["-1m", false],
    ["1d", false],
    ["", false],
    ["0", true],
    ["90s", true],
    ["1h30m", true],
    ["1.5h", true],
  ])("checks failureDeadline %j (valid: %s)", (failureDeadline, valid) => {
    const { failures } = checkInputs(undefined, { ...base, failureDeadline, timeout: "1h" }, suffix);
    expect(failures.some((f) => f.property === "failureDeadline")).toBe(!valid);
  });

  it("requires timeout when failureDeadline is 0, together with the other problems", () => {
    const { failures } = checkInputs(undefined, { ...base, failureDeadline: "0", waitFor: "x" }, suffix);
    expect(failures.map((f) => f.property).sort()).toEqual(["timeout", "waitFor"]);
    expect(failures.find((f) => f.property === "timeout")?.reason).toMatch(
      /timeout is required when failureDeadline is "0"/,
    );
  });

  it("rejects labels with bad keys, bad values or the reserved prefix", () => {
    const { failures } = checkInputs(
      undefined,
      { ...base, labels: { "bad key": "x", ok: "not ok!", "pulumi-kubevirt-snapshot.io/owner": "me" } },
      suffix,
    );
    expect(failures.map((f) => f.property).sort()).toEqual([
      "labels.bad key",
      "labels.ok",
      "labels.pulumi-kubevirt-snapshot.io/owner",
    ]);
  });

  it("tolerates unknown values during preview and passes them through", () => {
    const news = { ...base, vmName: UNKNOWN_VALUE, triggers: [UNKNOWN_VALUE], namespace: "Bad_NS" };
    const { inputs, failures } = checkInputs(undefined, news, suffix);
    expect(failures.map((f) => f.property)).toEqual(["namespace"]);
    expect(inputs).toMatchObject({ vmName: UNKNOWN_VALUE, triggers: [UNKNOWN_VALUE], __provider: "text" });
    expect(typeof inputs["name"]).toBe("string");
  });

  it("keeps an unknown name unknown", () => {
    const { inputs, failures } = checkInputs(undefined, { ...base, name: UNKNOWN_VALUE }, suffix);
    expect(failures).toEqual([]);
    expect(inputs["name"]).toBe(UNKNOWN_VALUE);
  });
});
