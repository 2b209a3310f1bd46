import { sameValue } from "../../../provider/core/diff";

describe("sameValue", () => {
  it("compares values structurally", () => {
    expect(sameValue({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBe(true);
    expect(sameValue(["a"], ["b"])).toBe(false);
  });
});
