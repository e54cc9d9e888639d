import type { ServerUnaryCall, sendUnaryData, UntypedServiceImplementation } from "@grpc/grpc-js";
import { type Client, diagnosticOf } from "./client";
import { type Diagnostic, error, toProtoDiagnostic } from "./diagnostics";
import { configure, dataSources, providerSchema, resources } from "./provider";
import type { ResourceType } from "./resource";
import { conform, toProtoSchema } from "./schema";
import { asObject, fromDynamic, type ObjectValue, toMsgpack, type Value } from "./values";

// biome-ignore lint/suspicious/noExplicitAny: requests and responses are the .proto's messages, as decoded by proto-loader
type Message = any;
type Handler = (request: Message) => Promise<Message>;

const dynamic = (value: Value) => ({ msgpack: toMsgpack(value) });
const diagnostics = (list: Diagnostic[]) => ({ diagnostics: list.map(toProtoDiagnostic) });

/** A unary RPC whose failure becomes an error diagnostic in its response rather than a gRPC error. */
const unary =
  (handler: Handler) => (call: ServerUnaryCall<Message, Message>, callback: sendUnaryData<Message>) => {
    handler(call.request).then(
      (response) => callback(null, response),
      (failure: unknown) =>
        callback(
          null,
          diagnostics([
            error("Timonier provider error", failure instanceof Error ? failure.message : String(failure)),
          ]),
        ),
    );
  };

/** The tfplugin6 Provider service, configured from its configuration or `env`. */
export function providerService(env: Record<string, string | undefined>): UntypedServiceImplementation {
  let client: Client | undefined;

  const resource = (typeName: string): ResourceType => {
    const type = resources[typeName];
    if (!type) throw new Error(`unknown resource type ${typeName}`);
    return type;
  };
  const needClient = (): Client => {
    if (!client) throw new Error("the provider is not configured");
    return client;
  };
  const failed = (failure: unknown, action: string, type: ResourceType) =>
    diagnostics([diagnosticOf(failure, action, type.fields)]);

  const metadata = {
    server_capabilities: {
      plan_destroy: false,
      // Terraform may then use its cached copy of the schema rather than ask each provider instance again
      get_provider_schema_optional: true,
      move_resource_state: false,
    },
    resources: Object.keys(resources).map((type_name) => ({ type_name })),
    data_sources: Object.keys(dataSources).map((type_name) => ({ type_name })),
    functions: [],
    ephemeral_resources: [],
    diagnostics: [],
  };

  const handlers: Record<string, Handler> = {
    GetMetadata: async () => metadata,
    GetProviderSchema: async () => ({
      provider: toProtoSchema(providerSchema),
      resource_schemas: Object.fromEntries(
        Object.entries(resources).map(([name, type]) => [name, toProtoSchema(type.schema)]),
      ),
      data_source_schemas: Object.fromEntries(
        Object.entries(dataSources).map(([name, type]) => [name, toProtoSchema(type.schema)]),
      ),
      functions: {},
      ephemeral_resource_schemas: {},
      server_capabilities: metadata.server_capabilities,
      diagnostics: [],
    }),
    GetFunctions: async () => ({ functions: {}, diagnostics: [] }),
    ValidateProviderConfig: async () => diagnostics([]),
    ConfigureProvider: async (request) => {
      const configured = configure(asObject(fromDynamic(request.config)) ?? {}, env);
      client = configured.client;
      return diagnostics(configured.diagnostics);
    },
    ValidateResourceConfig: async (request) =>
      diagnostics(resource(request.type_name).validate(asObject(fromDynamic(request.config)) ?? {})),
    ValidateDataResourceConfig: async (request) =>
      diagnostics(dataSources[request.type_name] ? [] : [error(`Unknown data source ${request.type_name}`)]),
    UpgradeResourceState: async (request) => {
      const type = resource(request.type_name);
      const raw = request.raw_state?.json?.length
        ? JSON.parse(Buffer.from(request.raw_state.json).toString("utf8"))
        : {};
      return { upgraded_state: dynamic(conform(type.schema, raw as Record<string, Value>)), diagnostics: [] };
    },
    ReadResource: async (request) => {
      const type = resource(request.type_name);
      const state = asObject(fromDynamic(request.current_state));
      if (!state) return { new_state: dynamic(null), diagnostics: [] };
      try {
        const current = await type.read(needClient(), state);
        return { new_state: dynamic(current), private: request.private, diagnostics: [] };
      } catch (failure) {
        return failed(failure, `Reading ${request.type_name}`, type);
      }
    },
    PlanResourceChange: async (request) => {
      const type = resource(request.type_name);
      const { planned, requiresReplace } = type.plan({
        prior: fromDynamic(request.prior_state),
        proposed: fromDynamic(request.proposed_new_state),
        config: fromDynamic(request.config),
      });
      return {
        planned_state: dynamic(planned),
        requires_replace: requiresReplace.map((name) => ({ steps: [{ attribute_name: name }] })),
        planned_private: request.prior_private,
        diagnostics: [],
      };
    },
    ApplyResourceChange: async (request) => {
      const type = resource(request.type_name);
      const prior = asObject(fromDynamic(request.prior_state));
      const planned = asObject(fromDynamic(request.planned_state));
      try {
        let state: ObjectValue | null = null;
        if (!planned) {
          if (prior) await type.delete(needClient(), prior);
        } else if (!prior) {
          state = await type.create(needClient(), planned);
        } else {
          state = await type.update(needClient(), prior, planned);
        }
        return { new_state: dynamic(state), private: request.planned_private, diagnostics: [] };
      } catch (failure) {
        const action = !planned ? "Deleting" : !prior ? "Creating" : "Updating";
        return { new_state: dynamic(prior), ...failed(failure, `${action} ${request.type_name}`, type) };
      }
    },
    ImportResourceState: async (request) => {
      const type = resource(request.type_name);
      return {
        imported_resources: [{ type_name: request.type_name, state: dynamic(type.imported(request.id)) }],
        diagnostics: [],
      };
    },
    ReadDataSource: async (request) => {
      const type = dataSources[request.type_name];
      if (!type) return diagnostics([error(`Unknown data source ${request.type_name}`)]);
      try {
        return {
          state: dynamic(await type.read(needClient(), asObject(fromDynamic(request.config)) ?? {})),
          diagnostics: [],
        };
      } catch (failure) {
        return diagnostics([diagnosticOf(failure, `Reading data source ${request.type_name}`, {})]);
      }
    },
    StopProvider: async () => ({ Error: "" }),
  };
  return Object.fromEntries(Object.entries(handlers).map(([name, handler]) => [name, unary(handler)]));
}
