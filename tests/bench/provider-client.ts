/**
 * The engine's side of the ResourceProvider gRPC protocol, for the calls the bench makes: Configure, Check,
 * Create and Delete, with properties as plain JSON (google.protobuf.Struct on the wire).
 */
import * as grpc from "@grpc/grpc-js";
import { ResourceProviderClient } from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as proto from "@pulumi/pulumi/proto/provider_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import type { PluginProcess } from "./plugin-process";

/** JSON properties. */
export type Props = Record<string, unknown>;

/** A plugin's provider, called as the engine calls it. */
export interface ProviderClient {
  plugin: PluginProcess;
  configure(variables: Record<string, string>): Promise<void>;
  check(urn: string, news: Props, olds?: Props): Promise<{ inputs: Props; failures: string[] }>;
  create(urn: string, properties: Props, timeoutS: number): Promise<{ id: string; properties: Props }>;
  delete(urn: string, id: string, properties: Props, timeoutS: number): Promise<void>;
  /** Closes the channel and stops the plugin. */
  close(): Promise<void>;
}

type Unary<Req, Res> = (
  request: Req,
  callback: (error: grpc.ServiceError | null, response: Res) => void,
) => unknown;

function call<Req, Res>(method: Unary<Req, Res>, request: Req): Promise<Res> {
  return new Promise((resolve, reject) =>
    method(request, (error, response) => (error ? reject(error) : resolve(response))),
  );
}

function struct(props: Props): Struct {
  return Struct.fromJavaScript(
    JSON.parse(JSON.stringify(props)) as Parameters<typeof Struct.fromJavaScript>[0],
  );
}

function plain(value: Struct | undefined): Props {
  return value?.toJavaScript() ?? {};
}

function configureRequest(variables: Record<string, string>): proto.ConfigureRequest {
  const request = new proto.ConfigureRequest();
  for (const [key, value] of Object.entries(variables)) request.getVariablesMap().set(key, value);
  request.setArgs(struct(variables));
  request.setAcceptsecrets(true);
  request.setAcceptresources(true);
  return request;
}

/** Connects to a started plugin. */
export function providerClient(plugin: PluginProcess): ProviderClient {
  const client = new ResourceProviderClient(`127.0.0.1:${plugin.port}`, grpc.credentials.createInsecure(), {
    "grpc.max_receive_message_length": 64 << 20,
  });
  const bound = <Req, Res>(method: Unary<Req, Res>): Unary<Req, Res> => method.bind(client);
  return {
    plugin,
    async configure(variables) {
      await call<proto.ConfigureRequest, proto.ConfigureResponse>(
        bound(client.configure),
        configureRequest(variables),
      );
    },
    async check(urn, news, olds = {}) {
      const request = new proto.CheckRequest().setUrn(urn).setNews(struct(news)).setOlds(struct(olds));
      request.setRandomseed(new Uint8Array(32));
      const response = await call<proto.CheckRequest, proto.CheckResponse>(bound(client.check), request);
      const failures = response.getFailuresList().map((f) => `${f.getProperty()}: ${f.getReason()}`);
      return { inputs: plain(response.getInputs()), failures };
    },
    async create(urn, properties, timeoutS) {
      const request = new proto.CreateRequest().setUrn(urn).setProperties(struct(properties));
      request.setTimeout(timeoutS);
      const response = await call<proto.CreateRequest, proto.CreateResponse>(bound(client.create), request);
      return { id: response.getId(), properties: plain(response.getProperties()) };
    },
    async delete(urn, id, properties, timeoutS) {
      const request = new proto.DeleteRequest().setUrn(urn).setId(id).setProperties(struct(properties));
      request.setTimeout(timeoutS);
      await call<proto.DeleteRequest, unknown>(bound(client.delete), request);
    },
    async close() {
      client.close();
      await plugin.stop();
    },
  };
}
