import { isDns1123Label } from "../../../shared/names";
import { autoName } from "../../../provider/core/naming";

describe("names", () => {
  it.each([
    ["before-upgrade", "x1", "before-upgrade-x1"],
    ["Before Upgrade!", "x1", "before-upgrade-x1"],
    ["___", "x1", "vmsnapshot-x1"],
    ["a".repeat(100), "abcdefg", `${"a".repeat(55)}-abcdefg`],
  ])("autoName(%j, %j) = %j", (name, sfx, expected) => {
    expect(autoName(name, sfx)).toBe(expected);
    expect(isDns1123Label(autoName(name, sfx))).toBe(true);
  });
});
