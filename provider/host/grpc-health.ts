/**
 * A gRPC health check of the engine's address, made with the @grpc/grpc-js copy of the running host's
 * @pulumi/pulumi. Like Pulumi's own Healthcheck, an engine without the health service ("unimplemented") is
 * alive; a refused connection ("unavailable") is gone; anything else (a slow answer) is unknown.
 */
import { createRequire } from "node:module";

/** The little of @grpc/grpc-js this uses. */
interface GrpcModule {
  Client: new (address: string, credentials: unknown) => GrpcClient;
  credentials: { createInsecure(): unknown };
  status: { UNIMPLEMENTED: number; UNAVAILABLE: number };
}

interface GrpcClient {
  makeUnaryRequest(
    method: string,
    serialize: (value: unknown) => Buffer,
    deserialize: (bytes: Buffer) => Buffer,
    argument: unknown,
    options: { deadline: number },
    callback: (error: { code?: number } | null) => void,
  ): void;
  close(): void;
}

/** The probe result of a call's error code. */
export function probeResult(
  code: number | undefined,
  status: GrpcModule["status"],
): "alive" | "gone" | "unknown" {
  if (code === undefined || code === status.UNIMPLEMENTED) return "alive";
  return code === status.UNAVAILABLE ? "gone" : "unknown";
}

/**
 * A probe of the gRPC server at `address`, loading grpc-js from `fromFile`'s location (the host's main module,
 * so the same copy the host serves with).
 */
export function grpcHealthProbe(
  address: string,
  fromFile: string,
  timeoutMs = 5000,
): () => Promise<"alive" | "gone" | "unknown"> {
  const grpc = createRequire(fromFile)("@grpc/grpc-js") as GrpcModule;
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  return () =>
    new Promise((resolve) => {
      client.makeUnaryRequest(
        "/grpc.health.v1.Health/Check",
        () => Buffer.alloc(0),
        (bytes) => bytes,
        {},
        { deadline: Date.now() + timeoutMs },
        (error) => resolve(probeResult(error?.code ?? undefined, grpc.status)),
      );
    });
}
