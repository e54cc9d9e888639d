import { describe, expect, it } from "vitest";
import { hashToken } from "../../../core/tokens";
import { SESSION_SECONDS, sessionTokenHash, sessionValue } from "./session";

const secret = "s3cret";
const hash = hashToken("tmt_abc");
const now = new Date("2026-03-02T10:00:00Z");
const later = (seconds: number) => new Date(now.getTime() + seconds * 1000);

describe("the class page's sign-in cookie", () => {
  it("carries the token's hash, never the token, and gives it back for its class until it expires", () => {
    const value = sessionValue(secret, "k8s-101", hash, now);
    expect(value).not.toContain("tmt_abc");
    expect(value.startsWith(`${hash}.`)).toBe(true);
    expect(sessionTokenHash(secret, "k8s-101", value, later(60))).toBe(hash);
    expect(sessionTokenHash(secret, "k8s-101", value, later(SESSION_SECONDS - 1))).toBe(hash);
    expect(sessionTokenHash(secret, "k8s-101", value, later(SESSION_SECONDS))).toBeUndefined();
  });

  it("opens no other class, and nothing once forged, altered or made with another secret", () => {
    const value = sessionValue(secret, "k8s-101", hash, now);
    const [, expires, mac] = value.split(".");
    expect(sessionTokenHash(secret, "k8s-102", value, now)).toBeUndefined();
    expect(sessionTokenHash("other", "k8s-101", value, now)).toBeUndefined();
    expect(
      sessionTokenHash(secret, "k8s-101", `${hashToken("tmt_other")}.${expires}.${mac}`, now),
    ).toBeUndefined();
    expect(
      sessionTokenHash(secret, "k8s-101", `${hash}.${Number(expires) + 3600}.${mac}`, now),
    ).toBeUndefined();
    for (const garbage of [undefined, "", hash, "tmt_abc", `${value}x`, value.replace(/.$/, "!")])
      expect(sessionTokenHash(secret, "k8s-101", garbage, now)).toBeUndefined();
  });
});
