import { describe, expect, it } from "vitest";
import { TokenBuckets } from "./rate-limit";

describe("token buckets", () => {
  it("grants a burst, then one request per 1/qps seconds, and says how long to wait", () => {
    const buckets = new TokenBuckets({ qps: 2, burst: 3, inflight: 1, watches: 1 });
    expect([0, 0, 0].map((t) => buckets.take("a", t))).toEqual([0, 0, 0]);
    expect(buckets.take("a", 0)).toBe(1);
    expect(buckets.take("a", 499)).toBe(1);
    expect(buckets.take("a", 500)).toBe(0);
    expect(buckets.take("a", 500)).toBe(1);
  });

  it("keeps keys apart: one cluster's flood leaves another's share whole", () => {
    const buckets = new TokenBuckets({ qps: 1, burst: 2, inflight: 1, watches: 1 });
    for (let i = 0; i < 10; i++) buckets.take("flood", 0);
    expect(buckets.take("flood", 0)).toBeGreaterThan(0);
    expect(buckets.take("quiet", 0)).toBe(0);
    expect(buckets.take("quiet", 0)).toBe(0);
  });

  it("refills to the burst and no further", () => {
    const buckets = new TokenBuckets({ qps: 10, burst: 2, inflight: 1, watches: 1 });
    buckets.take("a", 0);
    buckets.take("a", 0);
    expect(buckets.take("a", 60_000)).toBe(0);
    expect(buckets.take("a", 60_000)).toBe(0);
    expect(buckets.take("a", 60_000)).toBe(1);
  });
});
