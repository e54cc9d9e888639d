import { describe, expect, it } from "vitest";
import { formatValue, sprintf } from "./format";

describe("Go fmt", () => {
  it("prints values as %v does", () => {
    expect(formatValue({ b: [1, "x"], a: null })).toBe("map[a:<nil> b:[1 x]]");
    expect(formatValue(1000000)).toBe("1e+06");
    expect(formatValue(123456)).toBe("123456");
    expect(formatValue(0.00001)).toBe("1e-05");
    expect(formatValue(1.5)).toBe("1.5");
    expect(formatValue(null)).toBe("<nil>");
  });

  it("formats verbs with flags, width and precision", () => {
    expect(sprintf("%05d|%-4s|%q|%t|%x|%.2f|%5.1f|%%", [42n, "s", 'a"b', true, 255n, 1.23456, 2.25])).toBe(
      '00042|s   |"a\\"b"|true|ff|1.23|  2.2|%',
    );
    expect(sprintf("%x|%X", ["hi", 254n])).toBe("6869|FE");
  });

  it("reports bad verbs, missing and extra operands like Go", () => {
    expect(sprintf("%d %s", ["a"])).toBe("%!d(string=a) %!s(MISSING)");
    expect(sprintf("%s", [1n])).toBe("%!s(int64=1)");
    expect(sprintf("x", [1n])).toBe("x%!(EXTRA int64=1)");
  });
});
