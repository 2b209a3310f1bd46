#!/usr/bin/env bash
# The gate between the snapshot and the change: exits non-zero, and so stops the pipeline, unless the
# stack's snapshot was taken for this run's trigger and is readyToUse (restorable). `pulumi up` already
# fails when the snapshot fails; the gate also catches outputs left by an earlier run, a snapshot that is
# only Succeeded, or one a refresh found no longer ready. Run it in the project directory after `pulumi up`.
set -euo pipefail

trigger=$(pulumi config get trigger)
namespace=$(pulumi config get namespace)
outputs=$(pulumi stack output --json 2>/dev/null || echo "{}")
output() {
  node -e 'const v = JSON.parse(process.argv[1])[process.argv[2]]; process.stdout.write(v === undefined ? "" : String(v));' \
    "$outputs" "$1"
}
name=$(output snapshotName)
taken_for=$(output snapshotTrigger)

if [ "$taken_for" != "$trigger" ]; then
  echo "gate: STOP: no snapshot was taken for trigger '$trigger' (the stack's snapshot is ${name:-none}, taken for '${taken_for}'): the last pulumi up did not finish. Read its output, fix the cause and run the pipeline again; do not make the change without a snapshot." >&2
  exit 1
fi
if [ "$(output readyToUse)" != "true" ]; then
  echo "gate: STOP: snapshot $namespace/$name is not readyToUse (phase $(output phase)), so it cannot be restored from. See 'kubectl get vmsnapshot -n $namespace $name -o yaml'; once the cause is fixed, run the pipeline again (its pulumi up replaces the snapshot). Do not make the change without a snapshot." >&2
  exit 1
fi
echo "gate: snapshot $namespace/$name (trigger '$trigger') is readyToUse: the change may go ahead."
