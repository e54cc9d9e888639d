import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlatform, type TestPlatform } from "../support/platform";

describe("a platform whose address pool is full", () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    // room for two /23 blocks only
    platform = await startTestPlatform({ nodeAgent: false, clusterNetworkPool: "10.127.254.0/22" });
  });
  afterAll(async () => {
    await platform?.close();
  });

  it("refuses a new cluster with a clear 503 and writes nothing", async () => {
    expect((await platform.admin("POST", "/v1/clusters", { name: "a" })).status).toBe(201);
    expect((await platform.admin("POST", "/v1/clusters", { name: "b" })).status).toBe(201);
    const refused = await platform.admin("POST", "/v1/clusters", { name: "c" });
    expect(refused.status).toBe(503);
    expect(await refused.json()).toEqual({
      error: { code: "capacity_exhausted", message: "no free /23 left in 10.127.254.0/22 for a new cluster" },
    });
    const listed = (await (await platform.admin("GET", "/v1/clusters")).json()) as {
      items: { name: string }[];
    };
    expect(listed.items.map((c) => c.name).sort()).toEqual(["a", "b"]);
  });
});
