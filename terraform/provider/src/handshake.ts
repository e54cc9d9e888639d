import { X509Certificate } from "node:crypto";
import { generate } from "selfsigned";

/** go-plugin's magic cookie for Terraform providers: a binary run without it was not started by Terraform. */
export const MAGIC_COOKIE_KEY = "TF_PLUGIN_MAGIC_COOKIE";
export const MAGIC_COOKIE_VALUE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
const CORE_PROTOCOL_VERSION = 1;
const PLUGIN_PROTOCOL_VERSION = 6;

export interface ServerCert {
  cert: string;
  key: string;
}

/**
 * The TLS certificate the plugin serves for AutoMTLS: self-signed for "localhost", as go-plugin's client
 * checks it against the copy in the handshake line with that server name.
 */
export async function serverCert(): Promise<ServerCert> {
  const pems = await generate([{ name: "commonName", value: "localhost" }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notBeforeDate: new Date(Date.now() - 30_000),
    notAfterDate: new Date(Date.now() + 24 * 3600_000),
    extensions: [
      { name: "basicConstraints", cA: true, critical: true },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true, keyCertSign: true, critical: true },
      { name: "extKeyUsage", serverAuth: true, clientAuth: true },
      { name: "subjectAltName", altNames: [{ type: 2, value: "localhost" }] },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/** The line go-plugin reads on the plugin's stdout: versions, address, gRPC, and the server cert (unpadded base64 DER). */
export function handshakeLine(port: number, certPem: string): string {
  const der = new X509Certificate(certPem).raw.toString("base64").replace(/=+$/, "");
  return [CORE_PROTOCOL_VERSION, PLUGIN_PROTOCOL_VERSION, "tcp", `127.0.0.1:${port}`, "grpc", der].join("|");
}
