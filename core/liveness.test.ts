import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { serveLivez } from "./liveness";

describe("serveLivez", () => {
  it("answers GET /livez with 200 while the event loop runs, and nothing else", async () => {
    const server = await serveLivez(0);
    const { port } = server.address() as AddressInfo;
    try {
      const live = await fetch(`http://127.0.0.1:${port}/livez`);
      expect([live.status, await live.text()]).toEqual([200, "ok"]);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(404);
    } finally {
      server.close();
    }
  });
});
