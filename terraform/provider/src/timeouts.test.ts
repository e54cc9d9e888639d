import { describe, expect, it } from "vitest";
import { releaseResource } from "./resources/release";
import { tenantResource } from "./resources/tenant";
import { toProtoSchema } from "./schema";
import { timeoutOf, validateTimeouts } from "./timeouts";

describe("timeouts", () => {
  it("reads an operation's duration from the timeouts block, 10 minutes when unset", () => {
    expect(timeoutOf({ timeouts: { create: "1h30m", delete: null } }, "create")).toBe(90 * 60_000);
    expect(timeoutOf({ timeouts: { create: "45s" } }, "delete")).toBe(10 * 60_000);
    expect(timeoutOf({ timeouts: null }, "update")).toBe(10 * 60_000);
  });

  it("refuses a duration that does not parse, at the timeouts block", () => {
    expect(validateTimeouts({ timeouts: { delete: "ten minutes" } })).toEqual([
      expect.objectContaining({ summary: "Invalid timeouts", attribute: "timeouts" }),
    ]);
    expect(validateTimeouts({ timeouts: { delete: "2m" } })).toEqual([]);
  });

  it("is a nested block of its own in the resources' schemas, with the operations that wait", () => {
    const blocks = toProtoSchema(releaseResource.schema).block.block_types;
    expect(blocks).toEqual([expect.objectContaining({ type_name: "timeouts", nesting: 1 })]);
    expect(blocks[0]?.block.attributes.map((a) => a.name)).toEqual(["create", "update", "delete"]);
    expect(
      toProtoSchema(tenantResource.schema).block.block_types[0]?.block.attributes.map((a) => a.name),
    ).toEqual(["delete"]);
  });

  it("changes a release's timeouts without a new revision", async () => {
    const prior = { revision: 2, status: "deployed", timeouts: null };
    const calls: string[] = [];
    const client = {
      request: async (method: string) => {
        calls.push(method);
        return null as never;
      },
      text: async () => "",
    };
    const next = await releaseResource.update(client, prior, { ...prior, timeouts: { create: "1m" } });
    expect(next).toEqual({ ...prior, timeouts: { create: "1m" } });
    expect(calls).toEqual([]);
  });
});
