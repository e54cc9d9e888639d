import { describe, expect, it } from "vitest";
import { parseQuantity, toMillis, toUnits } from "./quantity";

describe("quantity", () => {
  it.each([
    ["100m", 100],
    ["0.5", 500],
    ["1", 1000],
    ["1e3", 1_000_000],
    ["1u", 1],
  ])("%s is %d millis", (q, millis) => expect(toMillis(q)).toBe(millis));

  it.each([
    ["128Mi", 134217728],
    ["1G", 1e9],
    ["1Ki", 1024],
    ["1.5k", 1500],
    ["1m", 1],
  ])("%s is %d units", (q, units) => expect(toUnits(q)).toBe(units));

  it.each(["", "abc", "1x", "1Mii", "--1", "1e", "Mi"])("rejects %j", (q) =>
    expect(parseQuantity(q)).toBeUndefined(),
  );
});
