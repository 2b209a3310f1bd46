/**
 * Drives tests/support/host-server.js: the provider as Pulumi's host runs it (serialized, re-evaluated in
 * another process from a program directory, configured from stack config), with typed calls.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";

const REPO = resolve(__dirname, "..", "..");

/** An error the provider rejected with (partial failures carry id, properties and reasons). */
export interface HostError {
  message: string;
  id?: string;
  properties?: Record<string, any>;
  reasons?: string[];
}

/** A running provider host. */
export interface ProviderHost {
  providerText: string;
  /** Everything the provider printed on stdout and stderr. */
  output: string[];
  call<T = any>(method: string, ...args: unknown[]): Promise<T>;
  /** Like call, but resolves with the error instead of rejecting. */
  fail(method: string, ...args: unknown[]): Promise<HostError>;
  stop(): Promise<void>;
}

/**
 * Starts a provider host whose stack config holds `config` (e.g. the kubeconfig), with a clean environment;
 * `provider` names the export of sdk/serialized-provider to serve (VMSnapshot's by default).
 */
export async function startProviderHost(
  config: Record<string, string>,
  provider: "serializedProvider" | "serializedRestoreProvider" = "serializedProvider",
): Promise<ProviderHost> {
  const cwd = mkdtempSync(join(tmpdir(), "kvsnap-program-"));
  mkdirSync(join(cwd, "node_modules"));
  symlinkSync(REPO, join(cwd, "node_modules", "pulumi-kubevirt-snapshot"), "dir");
  const child: ChildProcess = spawn(
    process.execPath,
    [join(REPO, "tests", "support", "host-server.js"), JSON.stringify(config), provider],
    {
      cwd,
      stdio: ["pipe", "pipe", "pipe", "pipe"],
      env: { PATH: process.env["PATH"] ?? "", HOME: cwd, KUBECONFIG: join(cwd, "no-kubeconfig") },
    },
  );
  const output: string[] = [];
  for (const stream of [child.stdout, child.stderr])
    stream?.on("data", (d: Buffer) => output.push(...d.toString().split("\n").filter(Boolean)));
  const pending = new Map<number, { resolve(v: any): void }>();
  const answers = createInterface({ input: child.stdio[3] as Readable });
  answers.on("line", (line) => {
    const msg = JSON.parse(line) as { id: number };
    pending.get(msg.id)?.resolve(msg);
    pending.delete(msg.id);
  });
  let next = 1;
  const send = (method: string, args: unknown[]) =>
    new Promise<{ result?: any; error?: HostError }>((resolvePromise) => {
      const id = next++;
      pending.set(id, { resolve: resolvePromise });
      child.stdin!.write(`${JSON.stringify({ id, method, args })}\n`);
    });
  const hello = await new Promise<{ result: { providerText: string } }>((resolvePromise, reject) => {
    pending.set(0, { resolve: resolvePromise });
    child.once("exit", (code) =>
      reject(new Error(`provider host exited (${String(code)}): ${output.join("\n")}`)),
    );
  });
  return {
    providerText: hello.result.providerText,
    output,
    async call(method, ...args) {
      const msg = await send(method, args);
      if (msg.error) throw Object.assign(new Error(msg.error.message), msg.error);
      return msg.result;
    },
    async fail(method, ...args) {
      const msg = await send(method, args);
      if (!msg.error)
        throw new Error(`${method} succeeded but a failure was expected: ${JSON.stringify(msg.result)}`);
      return msg.error;
    },
    async stop() {
      child.stdin!.end();
      await new Promise((r) => child.once("exit", r));
      rmSync(cwd, { recursive: true, force: true });
    },
  };
}
