/**
 * What the guest, its agent and the storage do: set per VM (and PVC) by annotations with the prefix `sim.kvsnap.io/`; documented in
 * tests/cluster/README.md. Pure: reads an annotation map.
 */

/** The annotation prefix of scenario settings. */
export const SCENARIO_PREFIX = "sim.kvsnap.io/";

/** What the guest, its agent and the storage do for one VM. */
export interface Scenario {
  /** Guest agent: connected (AgentConnected=True), disconnected (no condition), unsupported (AgentVersionNotSupported). */
  agent: "connected" | "disconnected" | "unsupported";
  /** The VMI carries Paused=True. */
  paused: boolean;
  /** virt-api answers every freeze with this error (e.g. an SELinux denial), as the guest agent reported it. */
  freezeError: string | undefined;
  /** How many freezes fail with `freezeError` before they succeed (undefined: every one). */
  freezeFailures: number | undefined;
  /** The first unfreeze after each freeze fails with this message (Windows VSS: "fsfreeze is limited up to 10 seconds"). */
  thawError: string | undefined;
  /** Time from VolumeSnapshot creation to its creationTime (the CSI driver cutting the snapshot). */
  volumeSnapshotDelayMs: number;
  /** Time from creationTime to readyToUse (upload/copy). */
  readyDelayMs: number;
  /** Every VolumeSnapshot of this VM reports this error instead of progressing. */
  volumeSnapshotError: string | undefined;
  /**
   * While set, VolumeSnapshots of this VM get their creationTime but never readyToUse: a snapshot holds at
   * Succeeded-not-ready until a test removes the annotation (unlike the delays, read again on every VM change).
   */
  holdReady: boolean;
}

const number = (value: string | undefined, fallback: number): number => {
  const n = Number(value);
  return value !== undefined && Number.isFinite(n) && n >= 0 ? n : fallback;
};

/** Reads a VM's scenario from its annotations (defaults: a healthy running guest with a connected agent). */
export function scenarioOf(annotations: Record<string, string> | undefined): Scenario {
  const a = (key: string): string | undefined => annotations?.[SCENARIO_PREFIX + key];
  const agent = a("agent");
  return {
    agent: agent === "disconnected" || agent === "unsupported" ? agent : "connected",
    paused: a("paused") === "true",
    freezeError: a("freeze-error"),
    freezeFailures: a("freeze-failures") === undefined ? undefined : number(a("freeze-failures"), 0),
    thawError: a("thaw-error"),
    volumeSnapshotDelayMs: number(a("volume-snapshot-delay-ms"), 100),
    readyDelayMs: number(a("ready-delay-ms"), 200),
    volumeSnapshotError: a("volume-snapshot-error"),
    holdReady: a("hold-ready") === "true",
  };
}

/** Whether a PVC should stay Pending (the binder skips it), e.g. to model WaitForFirstConsumer storage. */
export function pvcStaysUnbound(annotations: Record<string, string> | undefined): boolean {
  return annotations?.[SCENARIO_PREFIX + "unbound"] === "true";
}
