/** What the bench asks of the audit log: status writes, watches in place, and one user's requests. */
import type { AuditEvent, AuditLog } from "./audit-log";

/** What a status write made of a snapshot. */
export type SnapshotEnd = "ready" | "failed";

function isSnapshotStatusWrite(event: AuditEvent, namespace: string, name: string): boolean {
  const ref = event.objectRef;
  return (
    event.stage === "ResponseComplete" &&
    (event.verb === "update" || event.verb === "patch") &&
    ref?.resource === "virtualmachinesnapshots" &&
    ref.subresource === "status" &&
    ref.namespace === namespace &&
    ref.name === name &&
    (event.responseStatus?.code ?? 0) < 300
  );
}

function reached(object: any, end: SnapshotEnd): boolean {
  return end === "ready" ? object?.status?.readyToUse === true : object?.status?.phase === "Failed";
}

/**
 * The time (epoch ms, the apiserver's end of the request) of the status write that first made the snapshot
 * ready, or Failed.
 */
export async function statusWriteTime(
  audit: AuditLog,
  namespace: string,
  name: string,
  end: SnapshotEnd,
  timeoutMs = 30_000,
): Promise<number> {
  const event = await audit.waitFor(
    (e) => isSnapshotStatusWrite(e, namespace, name) && reached(e.responseObject, end),
    `status write making ${namespace}/${name} ${end}`,
    timeoutMs,
  );
  return event.at;
}

/** Who opened a watch: a user, and optionally the start of the user agent. */
export interface Watcher {
  user: string;
  userAgentPrefix?: string;
}

function watchOf(e: AuditEvent, who: Watcher, namespace: string, name: string): boolean {
  return (
    e.verb === "watch" &&
    e.user.username === who.user &&
    (!who.userAgentPrefix || (e.userAgent ?? "").startsWith(who.userAgentPrefix)) &&
    e.objectRef?.resource === "virtualmachinesnapshots" &&
    e.objectRef.namespace === namespace &&
    (e.objectRef.name === undefined || e.objectRef.name === name)
  );
}

/** Whether such a watch is streaming now (started, not yet ended): a shared informer's, for one. */
function watchOpen(audit: AuditLog, who: Watcher, namespace: string, name: string): boolean {
  audit.poll();
  const open = new Set<string>();
  for (const e of audit.events) {
    if (!watchOf(e, who, namespace, name)) continue;
    if (e.stage === "ResponseStarted") open.add(e.auditID);
    else open.delete(e.auditID);
  }
  return open.size > 0;
}

/**
 * Resolves once a watch on VirtualMachineSnapshots in `namespace` (of `name`, when the watch names one) by
 * `who` is in place: one still streaming (a watch shared between waits, as an informer per namespace has),
 * or one that starts streaming after `since`.
 */
export async function watchInPlace(
  audit: AuditLog,
  who: Watcher,
  namespace: string,
  name: string,
  since: number,
  timeoutMs = 30_000,
): Promise<void> {
  if (watchOpen(audit, who, namespace, name)) return;
  await audit.waitFor(
    (e) => e.stage === "ResponseStarted" && e.received >= since && watchOf(e, who, namespace, name),
    `watch of ${namespace}/${name} by ${who.userAgentPrefix ?? who.user}`,
    timeoutMs,
  );
}

/** Requests one user made in a time window, by verb (a watch counts once, when it started). */
export function requestsByVerb(
  audit: AuditLog,
  user: string,
  from: number,
  to: number,
): Record<string, number> {
  audit.poll();
  const counts: Record<string, number> = {};
  for (const e of audit.events) {
    if (e.user.username !== user || e.received < from || e.received > to) continue;
    const counted = e.verb === "watch" ? e.stage === "ResponseStarted" : e.stage === "ResponseComplete";
    if (counted) counts[e.verb] = (counts[e.verb] ?? 0) + 1;
  }
  return counts;
}

/** The watches one user opened, as [start, end] (end Infinity while still open), by audit ID. */
function watchIntervals(audit: AuditLog, user: string): Map<string, [number, number]> {
  const intervals = new Map<string, [number, number]>();
  for (const e of audit.events) {
    if (e.user.username !== user || e.verb !== "watch") continue;
    const interval = intervals.get(e.auditID) ?? [e.received, Number.POSITIVE_INFINITY];
    if (e.stage !== "ResponseStarted") interval[1] = e.at;
    intervals.set(e.auditID, interval);
  }
  return intervals;
}

/** The most watches one user had open at the same time within a time window. */
export function peakWatches(audit: AuditLog, user: string, from: number, to: number): number {
  audit.poll();
  const marks: [number, number][] = [];
  for (const [start, end] of watchIntervals(audit, user).values()) {
    if (start > to || end < from) continue;
    marks.push([Math.max(start, from), 1], [Math.min(end, to), -1]);
  }
  marks.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  let open = 0;
  let peak = 0;
  for (const [, delta] of marks) {
    open += delta;
    peak = Math.max(peak, open);
  }
  return peak;
}
