/** The I/O a provider instance uses, injected so tests can drive it (cluster, console, clock, randomness). */
import type { SnapshotCluster } from "../kube/cluster";
import type { Logger } from "./progress";

/** Everything outside pure logic that the provider's methods touch (`C`: the cluster operations needed). */
export interface ProviderDeps<C extends SnapshotCluster = SnapshotCluster> {
  /** Opens (or reuses) the cluster for a kubeconfig context (`undefined` = the configured/current one). */
  connect(context: string | undefined): Promise<C>;
  /** Progress lines and warnings. */
  log: Logger;
  /** Current time in ms. */
  now(): number;
  /** A signal that aborts after `ms`. */
  timer(ms: number): AbortSignal;
  /** Resolves after `ms`, or rejects when `signal` aborts first. */
  delay(ms: number, signal: AbortSignal): Promise<void>;
  /** Random suffix for auto-names. */
  suffix(): string;
  /** Extra wait beyond failureDeadline. */
  graceMs: number;
  /** Minimum interval between non-urgent progress lines. */
  progressIntervalMs: number;
}
