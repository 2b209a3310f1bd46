/**
 * Phase 1's explanation of this provider's detection samples: each sample (the readyToUse status write to the
 * host answering Create) split at the provider's commit PATCH, the create's last request (it clears the
 * pending marker once the snapshot is ready), as the audit log times it: its requestReceivedTimestamp and its
 * stageTimestamp at ResponseComplete.
 */
import { MEASURED_USER } from "./audit-policy";
import type { AuditEvent, AuditLog } from "./audit-log";
import { say } from "./progress";

/** One sample's parts, ms; they add up to the sample. */
export interface CommitSplit {
  /** Ready status write (its end) → the commit PATCH received: the watch event reaching the host, history. */
  seen: number;
  /** The commit PATCH, received → response complete at the apiserver. */
  patch: number;
  /** The PATCH's response complete → the host's Create answer received by the bench over gRPC. */
  answer: number;
}

const verbose = process.env["KVSNAP_BENCH_VERBOSE"] === "1";
let shown = false;

function isPatchOf(e: AuditEvent, namespace: string, name: string, until: number): boolean {
  const ref = e.objectRef;
  return (
    e.stage === "ResponseComplete" &&
    e.verb === "patch" &&
    e.user.username === MEASURED_USER &&
    ref?.resource === "virtualmachinesnapshots" &&
    ref.subresource === undefined &&
    ref.namespace === namespace &&
    ref.name === name &&
    e.received <= until
  );
}

/**
 * The split of one sample: `readyAt` the status write's audit time, `returnedAt` when Create answered (bench
 * clock). The commit is the last PATCH of the snapshot by kvsnap-user received before the answer; a string
 * says why there is none.
 */
export function commitSplit(
  audit: AuditLog,
  namespace: string,
  name: string,
  readyAt: number,
  returnedAt: number,
): CommitSplit | string {
  audit.poll();
  const commit = audit.events.findLast((e) => isPatchOf(e, namespace, name, returnedAt));
  if (!commit) return `no commit PATCH of ${namespace}/${name} by ${MEASURED_USER} in the audit log`;
  if (verbose && !shown) {
    shown = true;
    say(`detection: the first commit PATCH's audit event, as logged: ${JSON.stringify(commit)}`);
  }
  if (!Number.isFinite(commit.received) || !Number.isFinite(commit.at))
    return `the commit PATCH's audit event has no requestReceivedTimestamp or stageTimestamp`;
  return {
    seen: commit.received - readyAt,
    patch: commit.at - commit.received,
    answer: returnedAt - commit.at,
  };
}
