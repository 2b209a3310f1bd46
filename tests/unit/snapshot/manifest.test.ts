import { metadataPatch } from "../../../provider/snapshot/manifest";

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
