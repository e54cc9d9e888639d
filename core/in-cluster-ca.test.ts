import { createPrivateKey, X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { inClusterCa, issueServingCertificate } from "./in-cluster-ca";

describe("the in-cluster CA", () => {
  it("is the same certificate for the same secret, another for another", async () => {
    const a = await inClusterCa("secret-a");
    const again = await inClusterCa(`secret-${"a"}`);
    const b = await inClusterCa("secret-b");
    expect(again.cert).toBe(a.cert);
    expect(b.cert).not.toBe(a.cert);
    const cert = new X509Certificate(a.cert);
    expect(cert.ca).toBe(true);
    expect(cert.verify(cert.publicKey)).toBe(true);
  });

  it("signs serving certificates for the kubernetes Service's names and addresses", async () => {
    const ca = await inClusterCa("secret-a");
    const serving = await issueServingCertificate(ca, ["10.128.1.1", "10.128.1.10"], new Date());
    const cert = new X509Certificate(serving.cert);
    expect(cert.verify(new X509Certificate(ca.cert).publicKey)).toBe(true);
    expect(cert.verify(new X509Certificate((await inClusterCa("secret-b")).cert).publicKey)).toBe(false);
    expect(cert.ca).toBe(false);
    for (const host of [
      "kubernetes",
      "kubernetes.default",
      "kubernetes.default.svc",
      "kubernetes.default.svc.cluster.local",
    ])
      expect(cert.checkHost(host)).toBe(host);
    expect(cert.checkIP("10.128.1.1")).toBe("10.128.1.1");
    expect(cert.checkIP("10.128.1.2")).toBeUndefined();
    expect(cert.checkPrivateKey(createPrivateKey(serving.key))).toBe(true);
  });
});
