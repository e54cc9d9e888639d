import { describe, expect, it } from "vitest";
import { PodAddresses } from "./addresses";

describe("PodAddresses", () => {
  it("hands out the lowest free address past the network address and the gateway", () => {
    const a = new PodAddresses("10.1.0.0/24");
    expect([a.take(), a.take(), a.take()]).toEqual(["10.1.0.2", "10.1.0.3", "10.1.0.4"]);
    a.release("10.1.0.3");
    expect(a.take()).toBe("10.1.0.3");
  });

  it("gives the address asked for when it is free, the lowest free one otherwise", () => {
    const a = new PodAddresses("10.1.0.0/24");
    expect(a.take("10.1.0.77")).toBe("10.1.0.77");
    expect(a.take("10.1.0.77")).toBe("10.1.0.2");
    expect(a.take("10.1.0.1")).toBe("10.1.0.3");
    expect(a.take("10.9.0.5")).toBe("10.1.0.4");
  });

  it("runs out without the broadcast address", () => {
    const a = new PodAddresses("10.1.0.0/29");
    expect(Array.from({ length: 6 }, () => a.take())).toEqual([
      "10.1.0.2",
      "10.1.0.3",
      "10.1.0.4",
      "10.1.0.5",
      "10.1.0.6",
      undefined,
    ]);
  });
});
