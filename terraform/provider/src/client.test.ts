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
  it("announces gRPC on protocol 6 with the server cert as unpadded base64 DER", async () => {
    const { cert } = await serverCert();
    const [core, version, network, address, protocol, der] = handshakeLine(4242, cert).split("|");
    expect([core, version, network, address, protocol]).toEqual(["1", "6", "tcp", "127.0.0.1:4242", "grpc"]);
    expect(der).not.toMatch(/=/);
    const body = cert.replace(/-----[^-]+-----|\s/g, "").replace(/=+$/, "");
    expect(der).toBe(body);
  });
});
