import { formatDuration, parseDuration } from "../../../shared/duration";

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
