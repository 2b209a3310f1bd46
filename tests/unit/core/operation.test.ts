import { isProviderError } from "../../../provider/core/errors";
import { operationContext, storedTarget } from "../../../provider/core/operation";
import { resourcePrefix } from "../../../provider/core/resource-prefix";
import { FakeCluster } from "../../support/fake-cluster";
import { testDeps } from "../../support/test-deps";

describe("operation context", () => {
  const target = { resourceName: "db", namespace: "prod", name: "db-abc", context: undefined };

  it("starts every line, warning and error with the resource name, built in one place", () => {
    const deps = testDeps(new FakeCluster());
    const ctx = operationContext(deps, { cluster: new FakeCluster(), version: "v1beta1" }, target);
    expect(resourcePrefix("db")).toBe("[db] ");
    expect(ctx.prefix).toBe("[db] ");
    ctx.say("adopted it.");
    ctx.warn("warning: crash-consistent.");
    const error = ctx.fail("VirtualMachine prod/db-1 not found (404).");
    expect(deps.logs.info).toEqual(["[db] adopted it."]);
    expect(deps.logs.warn).toEqual(["[db] warning: crash-consistent."]);
    expect(isProviderError(error)).toBe(true);
    expect(error.message).toBe("[db] VirtualMachine prod/db-1 not found (404).");
  });

  it("names the resource's object and others in its namespace, and reports progress under both names", () => {
    const deps = testDeps(new FakeCluster());
    const ctx = operationContext(deps, { cluster: new FakeCluster(), version: "v1" }, target);
    expect(ctx.ref).toEqual({ version: "v1", namespace: "prod", name: "db-abc" });
    expect(ctx.refTo("db-old")).toEqual({ version: "v1", namespace: "prod", name: "db-old" });
    ctx.reporter(ctx.refTo("db-old"), { activity: "deleting" }).observe(undefined);
    expect(deps.logs.info).toEqual(["[db] prod/db-old (deleting): gone"]);
  });

  it("reopens a stored resource from its id and state: its context, API version and resource name", () => {
    expect(
      storedTarget("prod/db-abc", { resourceName: "db", context: "kind-a", apiVersion: "v1alpha1" }),
    ).toEqual({
      resourceName: "db",
      namespace: "prod",
      name: "db-abc",
      context: "kind-a",
      apiVersion: "v1alpha1",
    });
    expect(storedTarget("prod/db-abc", {})).toEqual({
      resourceName: "db-abc",
      namespace: "prod",
      name: "db-abc",
      context: undefined,
      apiVersion: "",
    });
  });
});
