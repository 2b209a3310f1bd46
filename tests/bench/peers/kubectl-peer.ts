/**
 * `kubectl wait --for=jsonpath='{.status.readyToUse}'=true` on a snapshot the bench creates: what a script
 * would run, with kubectl built from the apiserver's own Kubernetes module.
 */
import { execFile, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MEASURED_USER } from "../audit-policy";
import type { AuditLog } from "../audit-log";
import { watchInPlace } from "../audit-queries";
import { wallNow } from "../clock";
import type { Admin } from "../../ground/fixtures";
import { createSnapshot } from "../snapshots";
import { handled, PEER_NAMES, type Peer, type Target, type Wait, type WaitEnd } from "./peer";

function runKubectl(
  kubectl: string,
  args: string[],
  home: string,
  running: Set<ChildProcess>,
): Promise<WaitEnd> {
  return new Promise((resolve) => {
    const child = execFile(
      kubectl,
      args,
      { env: { HOME: home, PATH: process.env["PATH"] ?? "" } },
      (error, stdout, stderr) => {
        running.delete(child);
        resolve({ at: wallNow(), ok: !error, message: `${stdout}${stderr}`.trim() });
      },
    );
    running.add(child);
  });
}

/** The kubectl wait peer; kubectl runs with `kubeconfig` (contents). */
export function kubectlPeer(kubectl: string, kubeconfig: string, a: Admin, audit: AuditLog): Peer {
  const home = mkdtempSync(join(tmpdir(), "kvsnap-bench-kubectl-"));
  const kubeconfigFile = join(home, "kubeconfig");
  writeFileSync(kubeconfigFile, kubeconfig);
  const running = new Set<ChildProcess>();
  return {
    name: PEER_NAMES.kubectl,
    async start(target: Target): Promise<Wait> {
      const snapshot = target.label;
      await createSnapshot(a, target.namespace, snapshot, target.vm, target.failureDeadline);
      const since = wallNow();
      const done = runKubectl(
        kubectl,
        [
          "--kubeconfig",
          kubeconfigFile,
          "wait",
          "-n",
          target.namespace,
          `virtualmachinesnapshots.snapshot.kubevirt.io/${snapshot}`,
          "--for=jsonpath={.status.readyToUse}=true",
          `--timeout=${target.timeoutS}s`,
        ],
        home,
        running,
      );
      const who = { user: MEASURED_USER, userAgentPrefix: "kubectl/" };
      return { snapshot, armed: handled(watchInPlace(audit, who, target.namespace, snapshot, since)), done };
    },
    async close() {
      for (const child of running) child.kill("SIGTERM"); // waits still under way: ours to end
      rmSync(home, { recursive: true, force: true });
    },
  };
}
