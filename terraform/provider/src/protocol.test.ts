import { describe, expect, it } from "vitest";
import { servicesOf } from "./protocol";
import { protocolDescriptor } from "./protocol-descriptor";

describe("the tfplugin6 services from the parsed protocol", () => {
  const { provider, controller } = servicesOf(protocolDescriptor());

  it("names every RPC by its gRPC path", () => {
    expect(provider.GetProviderSchema?.path).toBe("/tfplugin6.Provider/GetProviderSchema");
    expect(provider.PlanResourceChange?.requestStream).toBe(false);
    expect(controller.Shutdown?.path).toBe("/plugin.GRPCController/Shutdown");
  });

  it("decodes a request with its fields named as in the .proto, enums as numbers, defaults set", () => {
    const read = provider.ReadResource;
    if (!read) throw new Error("no ReadResource");
    const bytes = read.requestSerialize({
      type_name: "timonier_cluster",
      current_state: { msgpack: Buffer.from([0x80]) },
    });
    expect(read.requestDeserialize(bytes)).toMatchObject({
      type_name: "timonier_cluster",
      current_state: { msgpack: Buffer.from([0x80]) },
      private: Buffer.alloc(0),
    });
    const diagnostics = read.responseDeserialize(
      read.responseSerialize({ diagnostics: [{ severity: 1, summary: "bad", attribute: { steps: [] } }] }),
    ) as { diagnostics: { severity: number }[] };
    expect(diagnostics.diagnostics[0]?.severity).toBe(1);
  });
});
