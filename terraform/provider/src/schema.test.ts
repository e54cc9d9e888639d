import { describe, expect, it } from "vitest";
import { clusterSchema } from "./resources/cluster";
import { conform, toProtoSchema } from "./schema";

describe("tfplugin6 schemas", () => {
  it("lists each attribute with its cty type as JSON bytes and its flags", () => {
    const schema = toProtoSchema(clusterSchema);
    expect(schema.version).toBe(0);
    const kubeconfig = schema.block.attributes.find((a) => a.name === "kubeconfig");
    expect(kubeconfig).toMatchObject({ computed: true, sensitive: true, optional: false, required: false });
    expect(kubeconfig?.type?.toString()).toBe('"string"');
    expect(schema.block.attributes.find((a) => a.name === "tenant")).toMatchObject({
      optional: true,
      computed: true,
    });
  });

  it("writes nested types in cty's notation", () => {
    const schema = toProtoSchema({
      version: 1,
      description: "",
      attributes: { tags: { type: ["map", "string"], description: "", optional: true } },
    });
    expect(schema.block.attributes[0]?.type?.toString()).toBe('["map","string"]');
  });

  it("writes a list of nested attributes as a nested type, each attribute with its flags", () => {
    const schema = toProtoSchema({
      version: 0,
      description: "",
      attributes: {
        charts: {
          type: { list: { name: { type: "string", required: true, description: "" } } },
          optional: true,
          description: "",
        },
      },
    });
    const [charts] = schema.block.attributes;
    expect(charts?.type).toBeUndefined();
    expect(charts?.nested_type).toMatchObject({ nesting: 2, attributes: [{ name: "name", required: true }] });
    expect(charts?.nested_type?.attributes[0]?.type?.toString()).toBe('"string"');
  });

  it("conforms an object to every attribute and block, absent ones null", () => {
    expect(conform(clusterSchema, { id: "x", extra: "dropped" })).toEqual({
      id: "x",
      name: null,
      tenant: null,
      expires_at: null,
      server: null,
      phase: null,
      kubeconfig: null,
      timeouts: null,
    });
  });
});
