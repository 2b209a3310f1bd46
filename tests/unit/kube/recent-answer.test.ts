import { recentAnswer } from "../../../provider/kube/recent-answer";

describe("recentAnswer", () => {
  it("reuses an answer within the TTL, shares a request in flight, and asks again after", async () => {
    let clock = 0;
    let asked = 0;
    const cache = recentAnswer<string[]>(
      1000,
      (v) => v.length > 0,
      () => clock,
    );
    const ask = async () => [`v${++asked}`];
    expect(await Promise.all([cache.get(ask), cache.get(ask)])).toEqual([["v1"], ["v1"]]);
    clock = 999;
    expect(await cache.get(ask)).toEqual(["v1"]);
    clock = 1000;
    expect(await cache.get(ask)).toEqual(["v2"]);
  });

  it("does not keep an answer not worth keeping, nor a failure", async () => {
    const cache = recentAnswer<string[]>(
      1000,
      (v) => v.length > 0,
      () => 0,
    );
    await expect(cache.get(async () => [])).resolves.toEqual([]);
    await expect(cache.get(async () => Promise.reject(new Error("503")))).rejects.toThrow("503");
    await expect(cache.get(async () => ["v1beta1"])).resolves.toEqual(["v1beta1"]);
    await expect(cache.get(async () => ["other"])).resolves.toEqual(["v1beta1"]);
  });
});
