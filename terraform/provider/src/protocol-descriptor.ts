import { readFileSync } from "node:fs";
import { join } from "node:path";
import protobuf from "protobufjs";

const PROTO_FILES = ["tfplugin6.8.proto", "grpc_controller.proto"];

/**
 * The .proto files parsed into protobufjs' JSON descriptor, fields named as written: the build embeds it
 * in the bundle so the provider neither reads nor parses a .proto file when it starts.
 */
export function protocolDescriptor(): protobuf.INamespace {
  const root = new protobuf.Root();
  root.addJSON(protobuf.common.get("google/protobuf/timestamp.proto")?.nested ?? {});
  for (const file of PROTO_FILES)
    protobuf.parse(readFileSync(join(import.meta.dirname, "../proto", file), "utf8"), root, {
      keepCase: true,
    });
  return root.toJSON();
}
