import { describe, expect, it } from "vitest";
import type { SleepCandidate } from "../../db/clusters";
import { clustersToSleep, idleSince, shouldSleep } from "./cluster-sleep-plan";

const now = new Date("2026-03-01T12:00:00Z");
const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000);

function cluster(o: Partial<SleepCandidate> = {}): SleepCandidate {
  return {
    id: "c1",
    phase: "Active",
    createdAt: ago(10_000),
    lastActiveAt: null,
    idleBeforeSleepSeconds: 3600,
    ...o,
  };
}

describe("which clusters sleep", () => {
  it("sleeps an Active cluster idle for its class's idleBeforeSleep, to the second", () => {
    expect(shouldSleep(cluster({ lastActiveAt: ago(3600) }), now)).toBe(true);
    expect(shouldSleep(cluster({ lastActiveAt: ago(7200) }), now)).toBe(true);
    expect(shouldSleep(cluster({ lastActiveAt: ago(3599) }), now)).toBe(false);
  });

  it("counts a cluster never used from its creation", () => {
    expect(idleSince(cluster())).toEqual(ago(10_000));
    expect(shouldSleep(cluster({ createdAt: ago(4000) }), now)).toBe(true);
    expect(shouldSleep(cluster({ createdAt: ago(60) }), now)).toBe(false);
  });

  it("keeps awake a cluster used recently, however old it is", () => {
    expect(shouldSleep(cluster({ createdAt: ago(1e6), lastActiveAt: ago(5) }), now)).toBe(false);
  });

  it("never sleeps clusters of a class without idleBeforeSleep, nor ones not Active", () => {
    expect(shouldSleep(cluster({ idleBeforeSleepSeconds: null }), now)).toBe(false);
    expect(shouldSleep(cluster({ idleBeforeSleepSeconds: 0 }), now)).toBe(false);
    expect(shouldSleep(cluster({ phase: "Sleeping" }), now)).toBe(false);
    expect(shouldSleep(cluster({ phase: "Terminating" }), now)).toBe(false);
  });

  it("picks the idle ones of a class, each with the idle time it was judged by", () => {
    const picked = clustersToSleep(
      [
        cluster({ id: "idle", lastActiveAt: ago(600), idleBeforeSleepSeconds: 300 }),
        cluster({ id: "busy", lastActiveAt: ago(10), idleBeforeSleepSeconds: 300 }),
        cluster({ id: "never", createdAt: ago(301), idleBeforeSleepSeconds: 300 }),
      ],
      now,
    );
    expect(picked).toEqual([
      { id: "idle", idleSeconds: 300 },
      { id: "never", idleSeconds: 300 },
    ]);
  });
});
