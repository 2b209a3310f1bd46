/**
 * Builds the outputs stored in state from the inputs and the last observed snapshot. Pure. Inputs at their
 * defaults are left out (core/defaults.ts): every reader of state fills them back.
 */
import type { HistoryEntryOutput, VMSnapshotStatusOutputs } from "../../shared/outputs";
import { omitDefaults } from "../core/defaults";
import { consistencyOf } from "./consistency";
import { SNAPSHOT_INPUT_DEFAULTS } from "./inputs";
import type { SourceObservation } from "./observation";
import type { VirtualMachineSnapshot } from "../kube/types";
import { sanitize, type PlainValue } from "../core/sanitize";

/** What the status outputs hold besides the snapshot object itself. */
export interface StatusFacts {
  /** The snapshot.kubevirt.io version used. */
  apiVersion: string;
  /** What was seen of the VM when the snapshot was taken. */
  observation: SourceObservation;
  /** The kept history, newest first (none by default). */
  keptHistory?: readonly HistoryEntryOutput[];
}

/** Maps a snapshot object to the status outputs ("" / false / [] for anything KubeVirt has not written). */
export function statusOutputs(snapshot: VirtualMachineSnapshot, facts: StatusFacts): VMSnapshotStatusOutputs {
  const { apiVersion, observation, keptHistory = [] } = facts;
  const status = snapshot.status ?? {};
  return {
    snapshotName: snapshot.metadata.name ?? "",
    namespace: snapshot.metadata.namespace ?? "",
    vmName: snapshot.spec.source.name,
    apiVersion,
    uid: snapshot.metadata.uid ?? "",
    phase: status.phase ?? "",
    readyToUse: status.readyToUse === true,
    creationTime: status.creationTime ?? "",
    online: observation.online,
    guestAgentConnected: observation.guestAgentConnected,
    consistency: consistencyOf(status.indications ?? [], observation, Boolean(status.creationTime))
      .consistency,
    indications: [...(status.indications ?? [])],
    sourceIndications: (status.sourceIndications ?? []).map((s) => ({
      indication: s.indication,
      message: s.message,
    })),
    includedVolumes: [...(status.snapshotVolumes?.includedVolumes ?? [])],
    excludedVolumes: [...(status.snapshotVolumes?.excludedVolumes ?? [])],
    contentName: status.virtualMachineSnapshotContentName ?? "",
    error: status.error?.message ?? "",
    sourceUid: status.sourceUID ?? "",
    keptHistory: keptHistory.map((entry) => ({ ...entry })),
    skipped: false,
  };
}

/**
 * The status outputs of a resource that took no snapshot (its VM did not exist, `whenVmMissing: "skip"`):
 * every status output empty, `readyToUse` false, `skipped` true.
 */
export function skippedStatusOutputs(
  where: { namespace: string; vmName: string },
  apiVersion: string,
): VMSnapshotStatusOutputs {
  return {
    snapshotName: "",
    namespace: where.namespace,
    vmName: where.vmName,
    apiVersion,
    uid: "",
    phase: "",
    readyToUse: false,
    creationTime: "",
    online: false,
    guestAgentConnected: false,
    consistency: "",
    indications: [],
    sourceIndications: [],
    includedVolumes: [],
    excludedVolumes: [],
    contentName: "",
    error: "",
    sourceUid: "",
    keptHistory: [],
    skipped: true,
  };
}

/** The inputs as state stores them: without those at their defaults. */
export function storedInputs(inputs: Record<string, unknown>): Record<string, unknown> {
  return omitDefaults(inputs, SNAPSHOT_INPUT_DEFAULTS);
}

/** The full state of a skipped resource: its (validated) inputs and empty status outputs, sanitized. */
export function buildSkippedOutputs(
  inputs: Record<string, unknown> & { namespace: string; vmName: string },
  apiVersion: string,
): Record<string, PlainValue> {
  const status = skippedStatusOutputs(inputs, apiVersion);
  return sanitize({ ...storedInputs(inputs), ...status }) as Record<string, PlainValue>;
}

/** The full state: the (validated) inputs, less defaults, followed by the status outputs, sanitized for protobuf. */
export function buildOutputs(
  inputs: Record<string, unknown>,
  snapshot: VirtualMachineSnapshot,
  facts: StatusFacts,
): Record<string, PlainValue> {
  const state = { ...storedInputs(inputs), ...statusOutputs(snapshot, facts) };
  return sanitize(state) as Record<string, PlainValue>;
}
