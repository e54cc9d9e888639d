import { describe, expect, it } from "vitest";
import { applyConfiguration, type ManagedFieldsEntry } from "../managed-fields/managed-fields";
import type { KubeObject } from "../types";
import { schemaListTypes } from "./list-types";
import type { JSONSchemaProps } from "./types";

const NOW = "2026-12-04T12:00:00Z";

const schema: JSONSchemaProps = {
  type: "object",
  properties: {
    spec: {
      type: "object",
      properties: {
        // named as a built-in associative list, but atomic here: the schema says nothing
        containers: { type: "array", items: { type: "object", properties: { name: { type: "string" } } } },
        routes: {
          type: "array",
          "x-kubernetes-list-type": "map",
          "x-kubernetes-list-map-keys": ["host", "path"],
          items: {
            type: "object",
            properties: {
              host: { type: "string" },
              path: { type: "string" },
              backend: { type: "string" },
              tags: { type: "array", "x-kubernetes-list-type": "set", items: { type: "string" } },
            },
          },
        },
      },
    },
  },
};
const types = schemaListTypes(schema);

const website = (spec: Record<string, unknown>): KubeObject => ({
  apiVersion: "example.com/v1",
  kind: "Website",
  metadata: { name: "site" },
  spec,
});

const apply = (live: KubeObject | undefined, spec: Record<string, unknown>, manager: string) =>
  applyConfiguration(live, website(spec), manager, false, NOW, types);

describe("server-side apply of a custom resource's lists", () => {
  it("merges a map list on its x-kubernetes-list-map-keys, each manager keeping its own items", () => {
    const a = apply(undefined, { routes: [{ host: "a", path: "/", backend: "one" }] }, "alice");
    const both = apply(a, { routes: [{ host: "a", path: "/api", backend: "two" }] }, "bob");
    expect(both.spec).toEqual({
      routes: [
        { host: "a", path: "/", backend: "one" },
        { host: "a", path: "/api", backend: "two" },
      ],
    });
    const bob = (both.metadata.managedFields as ManagedFieldsEntry[]).find((m) => m.manager === "bob");
    expect(bob?.fieldsV1).toEqual({
      "f:spec": {
        "f:routes": {
          'k:{"host":"a","path":"/api"}': { ".": {}, "f:backend": {}, "f:host": {}, "f:path": {} },
        },
      },
    });
    // alice drops her route: bob's stays
    expect(apply(both, { routes: [] }, "alice").spec).toEqual({
      routes: [{ host: "a", path: "/api", backend: "two" }],
    });
  });

  it("names a conflict by the item's keys, and unites the sets inside items", () => {
    const a = apply(undefined, { routes: [{ host: "a", path: "/", backend: "one", tags: ["x"] }] }, "alice");
    expect(() => apply(a, { routes: [{ host: "a", path: "/", backend: "other" }] }, "bob")).toThrow(
      '.spec.routes[host="a",path="/"].backend',
    );
    const tagged = apply(a, { routes: [{ host: "a", path: "/", tags: ["y"] }] }, "bob");
    expect(tagged.spec).toEqual({ routes: [{ host: "a", path: "/", backend: "one", tags: ["x", "y"] }] });
  });

  it("replaces a list its schema leaves untyped whole, whatever its field is called", () => {
    const a = apply(undefined, { containers: [{ name: "web" }] }, "alice");
    const replaced = applyConfiguration(
      a,
      website({ containers: [{ name: "db" }] }),
      "bob",
      true,
      NOW,
      types,
    );
    expect(replaced.spec).toEqual({ containers: [{ name: "db" }] });
  });
});
