/**
 * The audit policy the bench runs the ground's apiserver with (through KVSNAP_APISERVER_FLAGS, see
 * tests/cluster/README.md): every request of the user the measured clients run as, every request on
 * VirtualMachineSnapshots (to see when a waiter's watch is in place), and the request and response bodies of
 * snapshot status writes (to know when a snapshot became ready or Failed). Nothing else is logged.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";

/** The user of the ground's user.kubeconfig, whom the measured clients run as (with the least-privilege Role). */
export const MEASURED_USER = "kvsnap-user";

const POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
  - level: RequestResponse
    verbs: ["update", "patch"]
    resources:
      - group: snapshot.kubevirt.io
        resources: ["virtualmachinesnapshots/status"]
  - level: Metadata
    users: ["${MEASURED_USER}"]
  - level: Metadata
    resources:
      - group: snapshot.kubevirt.io
        resources: ["virtualmachinesnapshots"]
  - level: None
`;

/** Writes the policy into `dir`; returns the apiserver flags and the log's path. */
export function auditSetup(dir: string): { flags: string; logPath: string } {
  const policy = join(dir, "audit-policy.yaml");
  const logPath = join(dir, "audit.log");
  writeFileSync(policy, POLICY);
  return {
    flags: [`--audit-policy-file=${policy}`, `--audit-log-path=${logPath}`, "--audit-log-mode=blocking"].join(
      " ",
    ),
    logPath,
  };
}
