import { sanitize } from "../../../provider/core/sanitize";

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
