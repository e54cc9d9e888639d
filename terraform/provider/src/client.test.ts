import { createPrivateKey, X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ApiFailure, diagnosticOf } from "./client";
import { handshakeLine, serverCert } from "./handshake";
import { configure } from "./provider";

describe("diagnostics of API failures", () => {
  it("points at the attribute the API names", () => {
    const failure = new ApiFailure(400, "invalid", "name: must be a DNS-1123 label");
    expect(diagnosticOf(failure, "Creating timonier_cluster", { name: "name" })).toMatchObject({
      severity: "error",
      attribute: "name",
    });
  });

  it("points nowhere for other failures", () => {
    const failure = new ApiFailure(409, "conflict", "a cluster alice exists");
    expect(diagnosticOf(failure, "Creating", { name: "name" }).attribute).toBeUndefined();
    expect(diagnosticOf(new Error("ECONNREFUSED"), "Creating", {})).toMatchObject({ detail: "ECONNREFUSED" });
  });
});

describe("provider configuration", () => {
  it("falls back on TIMONIER_URL and requires an endpoint", () => {
    expect(configure({ endpoint: null, token: null }, { TIMONIER_URL: "http://x" }).client).toBeDefined();
    expect(configure({ endpoint: null, token: null }, {}).diagnostics).toMatchObject([
      { attribute: "endpoint" },
    ]);
    expect(configure({ endpoint: "not a url", token: null }, {}).diagnostics).toMatchObject([
      { attribute: "endpoint" },
    ]);
  });
});

describe("go-plugin handshake", () => {
  it("announces gRPC on protocol 6 with the server cert as unpadded base64 DER", () => {
    const { cert, der } = serverCert();
    const [core, version, network, address, protocol, announced] = handshakeLine(4242, der).split("|");
    expect([core, version, network, address, protocol]).toEqual(["1", "6", "tcp", "127.0.0.1:4242", "grpc"]);
    expect(announced).not.toMatch(/=/);
    const body = cert.replace(/-----[^-]+-----|\s/g, "").replace(/=+$/, "");
    expect(announced).toBe(body);
  });

  it("serves a self-signed P-256 certificate for localhost, valid now, its key matching", () => {
    const now = new Date("2026-12-04T12:00:00Z");
    const { cert, key } = serverCert(now);
    const x509 = new X509Certificate(cert);
    expect(x509.checkHost("localhost")).toBe("localhost");
    expect(x509.subject).toBe("CN=localhost");
    expect(x509.issuer).toBe("CN=localhost");
    expect(x509.ca).toBe(true);
    expect(x509.keyUsage).toEqual(expect.arrayContaining(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"]));
    expect(x509.verify(x509.publicKey)).toBe(true);
    expect(x509.checkPrivateKey(createPrivateKey(key))).toBe(true);
    expect(x509.publicKey.asymmetricKeyDetails).toMatchObject({ namedCurve: "prime256v1" });
    expect(Date.parse(x509.validFrom)).toBeLessThan(now.getTime());
    expect(Date.parse(x509.validTo)).toBeGreaterThan(now.getTime() + 3600_000);
    expect(serverCert(now).cert).not.toBe(cert);
  });
});
