import { describe, expect, it } from "vitest";
import { isDatabaseUnavailable } from "./client";

describe("telling an unreachable database from a bug", () => {
  it("looks through the errors a query error wraps", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:54329"), {
      code: "ECONNREFUSED",
    });
    expect(isDatabaseUnavailable(refused)).toBe(true);
    expect(isDatabaseUnavailable(new Error("Failed query: select …", { cause: refused }))).toBe(true);
    const shutdown = Object.assign(new Error("terminating connection"), { code: "57P01" });
    expect(isDatabaseUnavailable(new Error("wrapped", { cause: shutdown }))).toBe(true);
  });

  it("leaves every other error to the 500 path", () => {
    expect(isDatabaseUnavailable(Object.assign(new Error("bad uuid"), { code: "22P02" }))).toBe(false);
    expect(isDatabaseUnavailable(new TypeError("x is undefined"))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
  });
});
