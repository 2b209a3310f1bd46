/**
 * A provider plugin process as the Pulumi engine runs one: started with the engine's address as its argument,
 * it prints the port of its gRPC server as the first line on stdout. Later output is kept for error messages.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";

/** A started plugin process. */
export interface PluginProcess {
  child: ChildProcess;
  pid: number;
  port: number;
  /** The last lines it printed (stdout after the port, and stderr). */
  output: string[];
  /** SIGTERM, then SIGKILL after 10 s; resolves once it exited. */
  stop(): Promise<void>;
}

/** What to start. */
export interface PluginCommand {
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
}

function keep(output: string[], line: string): void {
  output.push(line);
  if (output.length > 300) output.shift();
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      child.once("exit", () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill("SIGTERM");
    });
}

/** Starts the plugin and resolves once it printed its port. */
export function startPluginProcess(what: PluginCommand, timeoutMs = 60_000): Promise<PluginProcess> {
  const child = spawn(what.command, what.args, { cwd: what.cwd, env: what.env, stdio: "pipe" });
  const output: string[] = [];
  createInterface({ input: child.stderr }).on("line", (line) => keep(output, line));
  const stdout = createInterface({ input: child.stdout });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${what.command} printed no port within ${timeoutMs} ms:\n${output.join("\n")}`));
    }, timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${what.command} exited (${String(code)}) before its port:\n${output.join("\n")}`));
    });
    let port: number | undefined;
    stdout.on("line", (line) => {
      if (port !== undefined) return keep(output, line);
      port = Number(line.trim());
      clearTimeout(timer);
      resolve({ child, pid: child.pid ?? 0, port, output, stop: stopper(child) });
    });
  });
}
