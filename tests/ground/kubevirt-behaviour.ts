/**
 * What the KubeVirt version of this test run does where versions differ, for tests to assert exactly that
 * version's behaviour. Each entry was found by running the suites against KubeVirt's own controllers of
 * v1.5.2, v1.7.0 and v1.9.0 (docs/kubevirt-semantics.md has the details and the sources).
 */
import { kubevirtAtLeast } from "./ground";

/** The version-dependent behaviours the tests rely on. */
export const behaviour = {
  /** `status.sourceIndications` is written (v1.7+). */
  get sourceIndications(): boolean {
    return kubevirtAtLeast("v1.7.0");
  },
  /** A paused guest is not frozen and gets the `Paused` indication (v1.7+; v1.5 freezes it). */
  get pausedIndication(): boolean {
    return kubevirtAtLeast("v1.7.0");
  },
  /** `PartialSnapshot` marks a snapshot that left volumes out (v1.8+; before, only `excludedVolumes` says so). */
  get partialSnapshotIndication(): boolean {
    return kubevirtAtLeast("v1.8.0");
  },
  /**
   * A freeze error is stored as virt-api returned it (v1.9), not as `Failed freezing vm <vm>: <error>`, and
   * gives no indication; before v1.9 a failed freeze adds `QuiesceFailed` (which stays if a later one works).
   */
  get rawFreezeError(): boolean {
    return kubevirtAtLeast("v1.9.0");
  },
  /** The VSS thaw limit (`fsfreeze is limited`) rolls the cut back and gives `QuiesceTimeout` (v1.9); before, it is retried silently. */
  get quiesceTimeout(): boolean {
    return kubevirtAtLeast("v1.9.0");
  },
};

/** KubeVirt's Failure reason for a FailImmediate restore of a running VM. */
export function failImmediateText(): string {
  return kubevirtAtLeast("v1.7.0")
    ? "Restore target VMI must be powered off before restore operation"
    : "Restore target not ready";
}

/** KubeVirt's Progressing reason while it stops a StopTarget restore's running VM. */
export function stopTargetReason(): string {
  return kubevirtAtLeast("v1.7.0")
    ? "Automatically stopping restore target for restore operation"
    : "Waiting for target to be ready";
}

/** KubeVirt's text for a freeze error of `vm` as this version stores it. */
export function freezeErrorText(vm: string, error: string): string {
  return behaviour.rawFreezeError ? error : `Failed freezing vm ${vm}: ${error}`;
}
