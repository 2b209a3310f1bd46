import { consistencyOf } from "../../../provider/snapshot/consistency";

describe("consistencyOf", () => {
  const running = { online: true, guestAgentConnected: true };
  it.each([
    [
      "v1.9 VSS thaw limit",
      ["GuestAgent", "Online", "QuiesceTimeout"],
      running,
      "crash-consistent",
      /QuiesceTimeout/,
    ],
    [
      "v1.5-v1.7 failed freeze",
      ["GuestAgent", "NoGuestAgent", "Online", "QuiesceFailed"],
      running,
      "crash-consistent",
      /QuiesceFailed/,
    ],
    [
      "no agent",
      ["NoGuestAgent", "Online"],
      { online: true, guestAgentConnected: false },
      "crash-consistent",
      /NoGuestAgent/,
    ],
    ["paused", ["GuestAgent", "Online", "Paused"], running, "crash-consistent", /Paused/],
    ["frozen", ["GuestAgent", "Online"], running, "frozen", /^$/],
    ["offline", [], { online: false, guestAgentConnected: false }, "offline", /^$/],
    ["a version without indications, agent seen", [], running, "frozen", /^$/],
    [
      "a version without indications, no agent",
      [],
      { online: true, guestAgentConnected: false },
      "crash-consistent",
      /guest agent/,
    ],
  ])("%s", (_what, indications, observation, consistency, why) => {
    const verdict = consistencyOf(indications, observation, true);
    expect(verdict.consistency).toBe(consistency);
    expect(verdict.why).toMatch(why);
  });
  it("is empty until the snapshot is cut", () =>
    expect(consistencyOf(["Online"], running, false)).toEqual({ consistency: "", why: "" }));
});
