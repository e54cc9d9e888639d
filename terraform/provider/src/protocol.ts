import type { MethodDefinition, ServiceDefinition } from "@grpc/grpc-js";
import protobuf from "protobufjs/light";

/** Set by the bundle build to protocolDescriptor(), the parsed .proto files. */
declare const TIMONIER_PROVIDER_PROTOCOL: protobuf.INamespace | undefined;

export interface Services {
  provider: ServiceDefinition;
  controller: ServiceDefinition;
}

/** Messages as plain objects the way the handlers read them: enums and 64-bit integers as numbers, defaults set. */
const AS_OBJECT: protobuf.IConversionOptions = { longs: Number, enums: Number, defaults: true };

function serviceDefinition(service: protobuf.Service): ServiceDefinition {
  const methods: Record<string, MethodDefinition<object, object>> = {};
  for (const method of service.methodsArray) {
    method.resolve();
    const request = method.resolvedRequestType as protobuf.Type;
    const response = method.resolvedResponseType as protobuf.Type;
    methods[method.name] = {
      path: `/${service.fullName.slice(1)}/${method.name}`,
      requestStream: method.requestStream === true,
      responseStream: method.responseStream === true,
      requestSerialize: (value) => Buffer.from(request.encode(request.fromObject(value)).finish()),
      requestDeserialize: (bytes) => request.toObject(request.decode(bytes), AS_OBJECT),
      responseSerialize: (value) => Buffer.from(response.encode(response.fromObject(value)).finish()),
      responseDeserialize: (bytes) => response.toObject(response.decode(bytes), AS_OBJECT),
    };
  }
  return methods;
}

/** The tfplugin6 Provider service and go-plugin's GRPCController, fields named as in the .proto files. */
export function servicesOf(descriptor: protobuf.INamespace): Services {
  // not Root.fromJSON, which resolves every type at once: each resolves when its method is first called
  const root = new protobuf.Root().addJSON(descriptor.nested ?? {});
  return {
    provider: serviceDefinition(root.lookupService("tfplugin6.Provider")),
    controller: serviceDefinition(root.lookupService("plugin.GRPCController")),
  };
}

/** The services of the descriptor the bundle carries. */
export function loadServices(): Services {
  if (typeof TIMONIER_PROVIDER_PROTOCOL === "undefined")
    throw new Error("the provider runs bundled: npm run build:terraform-provider");
  return servicesOf(TIMONIER_PROVIDER_PROTOCOL);
}
