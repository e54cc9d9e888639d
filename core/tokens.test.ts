import { describe, expect, it } from "vitest";
import { clusterToken, hashToken, TEACHER_TOKEN_PREFIX, teacherToken } from "./tokens";

const ID = "6f1c2a0e-8d3b-4c55-9a7e-2b1f0c9d8e7a";

describe("cluster tokens", () => {
  it("are derived from the secret, the cluster and its generation", () => {
    expect(clusterToken("s", ID)).toBe(clusterToken("s", ID, 0));
    expect(clusterToken("s", ID)).toMatch(/^tmn_[A-Za-z0-9_-]{43}$/);
    const generations = [0, 1, 2, 3].map((g) => clusterToken("s", ID, g));
    expect(new Set(generations).size).toBe(4);
    expect(clusterToken("t", ID, 1)).not.toBe(clusterToken("s", ID, 1));
  });
});

describe("teacher tokens", () => {
  it("are random, prefixed, and hashed for storage", () => {
    const a = teacherToken();
    const b = teacherToken();
    expect(a.startsWith(TEACHER_TOKEN_PREFIX)).toBe(true);
    expect(a).toHaveLength(4 + 43);
    expect(a).not.toBe(b);
    expect(hashToken(a)).toMatch(/^[0-9a-f]{64}$/);
  });
});
