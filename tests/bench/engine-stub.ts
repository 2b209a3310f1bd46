/**
 * A stand-in for the Pulumi engine's gRPC address, which every provider plugin is started with: it answers
 * the engine's Log calls (pulumi-resource-kubernetes reports progress through them) and nothing else. Our
 * provider host's engine watch probes it with a gRPC health check; like Pulumi's own engine it does not serve
 * the health service, and "unimplemented" counts as alive.
 */
import * as grpc from "@grpc/grpc-js";
import * as engineRpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import * as engineProto from "@pulumi/pulumi/proto/engine_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";

/** A running engine stand-in. */
export interface EngineStub {
  /** host:port to start plugins with. */
  address: string;
  /** The last messages plugins logged. */
  log: string[];
  stop(): Promise<void>;
}

function handlers(log: string[]): engineRpc.IEngineServer {
  const empty =
    <T>(reply: () => T) =>
    (_call: unknown, callback: grpc.sendUnaryData<T>) =>
      callback(null, reply());
  return {
    log: (call: grpc.ServerUnaryCall<engineProto.LogRequest, Empty>, callback: grpc.sendUnaryData<Empty>) => {
      log.push(call.request.getMessage());
      if (log.length > 200) log.shift();
      callback(null, new Empty());
    },
    getRootResource: empty(() => new engineProto.GetRootResourceResponse()),
    setRootResource: empty(() => new engineProto.SetRootResourceResponse()),
    startDebugging: empty(() => new Empty()),
    requirePulumiVersion: empty(() => new engineProto.RequirePulumiVersionResponse()),
  };
}

/** Starts the stand-in on a free loopback port. */
export async function startEngineStub(): Promise<EngineStub> {
  const server = new grpc.Server();
  const log: string[] = [];
  server.addService(engineRpc.EngineService, handlers(log));
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return {
    address: `127.0.0.1:${port}`,
    log,
    stop: () => new Promise((resolve) => server.tryShutdown(() => resolve())),
  };
}
