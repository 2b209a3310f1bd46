/**
 * The one ground a bench run measures on: the test ground (tests/ground) with its apiserver auditing what the
 * bench needs (audit-policy.ts), the storage fixtures, the followed audit log, and the engine stand-in that
 * plugins are started with.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { admin, createStorage, type Admin } from "../ground/fixtures";
import { BINARY_ENV, KUBEVIRT_BINARY_ENV, startGround, type Ground } from "../ground/ground";
import { AuditLog } from "./audit-log";
import { auditSetup } from "./audit-policy";
import { startEngineStub, type EngineStub } from "./engine-stub";
import type { BenchPlan } from "./plan";
import type { Tools } from "./tools";

/** Everything the phases share. */
export interface BenchContext {
  plan: BenchPlan;
  tools: Tools;
  ground: Ground;
  a: Admin;
  audit: AuditLog;
  engine: EngineStub;
  /** Contents of the ground's kubeconfig of kvsnap-user, the identity every measured client runs as. */
  userKubeconfig: string;
  stop(): Promise<void>;
}

/** The variable tests/cluster's launcher reads extra apiserver flags from. */
const APISERVER_FLAGS_ENV = "KVSNAP_APISERVER_FLAGS";

/** Starts the ground with auditing on, and the rest of the context. */
export async function startBenchGround(plan: BenchPlan, tools: Tools): Promise<BenchContext> {
  const auditDir = mkdtempSync(join(tmpdir(), "kvsnap-bench-audit-"));
  const { flags, logPath } = auditSetup(auditDir);
  process.env[BINARY_ENV] = tools.cluster;
  process.env[KUBEVIRT_BINARY_ENV] = tools.kubevirt;
  process.env[APISERVER_FLAGS_ENV] = flags;
  const ground = await startGround().catch((error: unknown) => {
    rmSync(auditDir, { recursive: true, force: true });
    throw error;
  });
  delete process.env[APISERVER_FLAGS_ENV];
  const audit = new AuditLog(logPath);
  audit.start();
  const a = await admin(ground.adminKubeconfig);
  await createStorage(a);
  const engine = await startEngineStub();
  return {
    plan,
    tools,
    ground,
    a,
    audit,
    engine,
    userKubeconfig: readFileSync(ground.userKubeconfig, "utf8"),
    async stop() {
      audit.stop();
      await engine.stop();
      await ground.stop();
      rmSync(auditDir, { recursive: true, force: true });
    },
  };
}
