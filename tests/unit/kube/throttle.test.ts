import { MAX_THROTTLED_TRIES, throttleDelayMs } from "../../../provider/kube/throttle";

describe("throttleDelayMs", () => {
  it("waits the Retry-After the server sent on a 429", () => {
    expect(throttleDelayMs({ code: 429, headers: { "retry-after": "2" } }, 1)).toBe(2000);
  });

  it("waits a second on a 429 without a usable Retry-After, and at most ten seconds", () => {
    expect(throttleDelayMs({ code: 429, headers: {} }, 1)).toBe(1000);
    expect(throttleDelayMs({ code: 429, headers: { "retry-after": "soon" } }, 1)).toBe(1000);
    expect(throttleDelayMs({ code: 429, headers: { "retry-after": "600" } }, 1)).toBe(10_000);
  });

  it("does not retry other failures, or a 429 after the last try", () => {
    expect(throttleDelayMs({ code: 500 }, 1)).toBeUndefined();
    expect(throttleDelayMs({ code: 409 }, 1)).toBeUndefined();
    expect(throttleDelayMs(new Error("ECONNREFUSED"), 1)).toBeUndefined();
    expect(throttleDelayMs(undefined, 1)).toBeUndefined();
    expect(throttleDelayMs({ code: 429 }, MAX_THROTTLED_TRIES)).toBeUndefined();
    expect(throttleDelayMs({ code: 429 }, MAX_THROTTLED_TRIES - 1)).toBe(1000);
  });
});
