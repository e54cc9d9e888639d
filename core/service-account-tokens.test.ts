import { describe, expect, it } from "vitest";
import { issueServiceAccountToken, verifyServiceAccountToken } from "./service-account-tokens";

const NOW = new Date("2026-11-22T10:00:00Z");
const bot = { clusterId: "c1", namespace: "team", name: "bot", uid: "u1" };

describe("ServiceAccount tokens", () => {
  const { token, expires } = issueServiceAccountToken("s3cret-s3cret-s3cret", bot, {
    now: NOW,
    seconds: 3600,
    audiences: ["https://kubernetes.default.svc.cluster.local"],
  });

  it("are JWTs naming the account as Kubernetes does, until they expire", () => {
    expect(token.split(".")).toHaveLength(3);
    expect(expires.toISOString()).toBe("2026-11-22T11:00:00.000Z");
    expect(verifyServiceAccountToken("s3cret-s3cret-s3cret", token, NOW)).toMatchObject({
      sub: "system:serviceaccount:team:bot",
      "kubernetes.io": { namespace: "team", serviceaccount: { name: "bot", uid: "u1" } },
      "timonier.io/cluster": "c1",
    });
    expect(verifyServiceAccountToken("s3cret-s3cret-s3cret", token, expires)).toBeUndefined();
  });

  it("are refused when signed with another secret or altered", () => {
    expect(verifyServiceAccountToken("another-secret-entirely", token, NOW)).toBeUndefined();
    const [h, p, s] = token.split(".") as [string, string, string];
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(p, "base64url").toString()), sub: "system:admin" }),
    ).toString("base64url");
    expect(verifyServiceAccountToken("s3cret-s3cret-s3cret", `${h}.${forged}.${s}`, NOW)).toBeUndefined();
  });

  it("name the object they are bound to, as kube's do", () => {
    const bound = issueServiceAccountToken(
      "s3cret-s3cret-s3cret",
      { ...bot, boundTo: { kind: "pod", name: "web-1", uid: "p1" } },
      { now: NOW, seconds: 3600, audiences: ["api"] },
    );
    expect(verifyServiceAccountToken("s3cret-s3cret-s3cret", bound.token, NOW)?.["kubernetes.io"]).toEqual({
      namespace: "team",
      serviceaccount: { name: "bot", uid: "u1" },
      pod: { name: "web-1", uid: "p1" },
    });
  });
});
