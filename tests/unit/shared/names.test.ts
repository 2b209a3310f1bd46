import { isDns1123Label, isDns1123Subdomain, isQualifiedKey } from "../../../shared/names";

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
});
