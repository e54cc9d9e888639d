import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type GrpcObject, loadPackageDefinition, type ServiceDefinition } from "@grpc/grpc-js";
import { fromJSON } from "@grpc/proto-loader";
import protobuf from "protobufjs";

/** Set by the bundle build to the .proto sources, so the bundled provider is one self-contained file. */
declare const TIMONIER_PROVIDER_PROTOS: Record<string, string> | undefined;

export const PROTO_FILES = ["tfplugin6.8.proto", "grpc_controller.proto"];

const sources = (): Record<string, string> =>
  typeof TIMONIER_PROVIDER_PROTOS !== "undefined"
    ? TIMONIER_PROVIDER_PROTOS
    : Object.fromEntries(
        PROTO_FILES.map((file) => [file, readFileSync(join(import.meta.dirname, "../proto", file), "utf8")]),
      );

export interface Services {
  provider: ServiceDefinition;
  controller: ServiceDefinition;
}

/** The tfplugin6 Provider service and go-plugin's GRPCController, with fields named as in the .proto files. */
export function loadServices(): Services {
  const root = new protobuf.Root();
  root.addJSON(protobuf.common.get("google/protobuf/timestamp.proto")?.nested ?? {});
  for (const source of Object.values(sources())) protobuf.parse(source, root, { keepCase: true });
  const definition = fromJSON(root.toJSON(), {
    keepCase: true,
    longs: Number,
    enums: Number,
    defaults: true,
  });
  const packages = loadPackageDefinition(definition);
  const service = (pkg: string, name: string) =>
    ((packages[pkg] as GrpcObject)[name] as { service: ServiceDefinition }).service;
  return { provider: service("tfplugin6", "Provider"), controller: service("plugin", "GRPCController") };
}
