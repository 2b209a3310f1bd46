/**
 * A TCP proxy in front of the apiserver that cuts every open connection at a fixed interval, to prove
 * the provider's watch reconnects (the way a load balancer or an idle timeout cuts long watches).
 */
import { createServer, connect, type Socket } from "node:net";
import type { AddressInfo } from "node:net";

/** A running proxy. */
export interface CuttingProxy {
  port: number;
  /** How many times connections were cut. */
  cuts(): number;
  stop(): Promise<void>;
}

/** Starts the proxy to 127.0.0.1:`targetPort`, cutting every `intervalMs`. */
export async function startCuttingProxy(targetPort: number, intervalMs: number): Promise<CuttingProxy> {
  const sockets = new Set<Socket>();
  let cuts = 0;
  const server = createServer((client) => {
    const upstream = connect(targetPort, "127.0.0.1");
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => s.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const timer = setInterval(() => {
    if (sockets.size) cuts++;
    for (const s of sockets) s.destroy();
  }, intervalMs);
  return {
    port: (server.address() as AddressInfo).port,
    cuts: () => cuts,
    stop: () =>
      new Promise<void>((resolve) => {
        clearInterval(timer);
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A copy of a kubeconfig's text with the server port replaced (TLS still verifies: same host, same cert). */
export function viaPort(kubeconfigText: string, port: number): string {
  return kubeconfigText.replace(/server: https:\/\/127\.0\.0\.1:\d+/, `server: https://127.0.0.1:${port}`);
}
