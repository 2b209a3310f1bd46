/**
 * The model of `VMSnapshot`'s inputs the property tests of this directory generate from (arbitraries.ts), and
 * the rules spanning fields as the architecture describes them.
 *
 * Generated, asserted: nothing here.
 */
import { vmSnapshotArgsShape } from "../../../shared/args";
import {
  booleanField,
  durationField,
  enumField,
  historyField,
  mapField,
  nameField,
  textField,
  triggersField,
  ZERO_DURATIONS,
} from "./arbitraries";
import type { CheckSubject } from "./check-contract";

/** Every input of a VMSnapshot as the provider receives it. */
export const INPUT_KEYS = [...Object.keys(vmSnapshotArgsShape), "resourceName", "owner"];

/** Each input's generator: valid, invalid, junk, unknown or absent values (arbitraries.ts `field`). */
export const model = {
  namespace: nameField("label", true),
  vmName: nameField("subdomain", true),
  name: nameField("subdomain", false),
  failureDeadline: durationField(true),
  timeout: durationField(false),
  deleteTimeout: durationField(false),
  waitFor: enumField(["readyToUse", "succeeded"]),
  guestAgent: enumField(["prefer", "require", "ignore"]),
  deletionPolicy: enumField(["Delete", "Retain"]),
  onFailure: enumField(["keep", "delete"]),
  labels: mapField(true),
  annotations: mapField(false),
  triggers: triggersField,
  allowEmpty: booleanField,
  history: historyField,
  retainHistoryOnDestroy: booleanField,
  adopt: booleanField,
  context: textField(false),
  resourceName: textField(true),
  owner: textField(true),
};

/** The rules spanning fields (shared/args.ts `crossFieldIssues`), as the architecture describes them. */
export const subject: CheckSubject = {
  knownKeys: INPUT_KEYS,
  crossFieldKeys: ["failureDeadline", "timeout", "name", "adopt", "history"],
  crossField: (news) => {
    const expected: string[] = [];
    const deadline = news["failureDeadline"];
    if (typeof deadline === "string" && ZERO_DURATIONS.includes(deadline) && news["timeout"] === undefined)
      expected.push("timeout");
    if (news["adopt"] === true && news["name"] === undefined) expected.push("adopt");
    const history = news["history"];
    if (typeof history === "number" && history > 0 && news["name"] !== undefined) expected.push("history");
    return expected;
  },
};
