import { describe, expect, it } from "vitest";
import { lastTickBetween, nextTick, scheduleError } from "./schedule";

describe("cron schedules", () => {
  it("finds the last tick in a window and the next one", () => {
    const now = new Date("2026-01-01T10:07:30Z");
    expect(
      lastTickBetween("*/5 * * * *", undefined, new Date("2026-01-01T10:00:00Z"), now)?.toISOString(),
    ).toBe("2026-01-01T10:05:00.000Z");
    expect(lastTickBetween("*/5 * * * *", undefined, new Date("2026-01-01T10:05:00Z"), now)).toBeUndefined();
    expect(nextTick("*/5 * * * *", undefined, now).toISOString()).toBe("2026-01-01T10:10:00.000Z");
    expect(nextTick("@hourly", undefined, now).toISOString()).toBe("2026-01-01T11:00:00.000Z");
  });

  it("honours timeZone", () => {
    expect(nextTick("0 9 * * *", "Europe/Paris", new Date("2026-01-01T07:00:00Z")).toISOString()).toBe(
      "2026-01-01T08:00:00.000Z",
    );
  });

  it("refuses malformed schedules", () => {
    expect(scheduleError("* * * *")).toMatch(/^unparseable schedule/);
    expect(scheduleError("*/1 * * * *")).toBeUndefined();
  });
});
