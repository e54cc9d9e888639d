import { generateKeyPairSync, randomBytes, sign } from "node:crypto";
import {
  bitString,
  boolean,
  explicit,
  implicit,
  objectId,
  octetString,
  sequence,
  set,
  unsignedInteger,
  utcTime,
  utf8String,
} from "./der";

/** go-plugin's magic cookie for Terraform providers: a binary run without it was not started by Terraform. */
export const MAGIC_COOKIE_KEY = "TF_PLUGIN_MAGIC_COOKIE";
export const MAGIC_COOKIE_VALUE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
const CORE_PROTOCOL_VERSION = 1;
const PLUGIN_PROTOCOL_VERSION = 6;

export interface ServerCert {
  /** PEM, for the gRPC server. */
  cert: string;
  key: string;
  /** The certificate's DER bytes, for the handshake line. */
  der: Buffer;
}

const ECDSA_WITH_SHA256 = sequence(objectId("1.2.840.10045.4.3.2"));
const HOST = "localhost";
/** keyUsage digitalSignature (bit 0), keyEncipherment (2), keyCertSign (5): 0b10100100, 2 unused bits. */
const KEY_USAGE = bitString(Buffer.from([0xa4]), 2);

const extension = (oid: string, critical: boolean, value: Uint8Array) =>
  sequence(objectId(oid), ...(critical ? [boolean(true)] : []), octetString(value));

/**
 * The TLS certificate the plugin serves for AutoMTLS: a new P-256 key, self-signed for "localhost", as
 * go-plugin's client checks it against the copy in the handshake line with that server name. Written
 * with node:crypto alone, as a certificate library's load is most of a start-up.
 */
export function serverCert(now = new Date()): ServerCert {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const name = sequence(set(sequence(objectId("2.5.4.3"), utf8String(HOST))));
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f;
  const tbs = sequence(
    explicit(0, unsignedInteger(Buffer.from([2]))),
    unsignedInteger(serial),
    ECDSA_WITH_SHA256,
    name,
    sequence(utcTime(new Date(now.getTime() - 30_000)), utcTime(new Date(now.getTime() + 24 * 3600_000))),
    name,
    publicKey.export({ type: "spki", format: "der" }),
    explicit(
      3,
      sequence(
        extension("2.5.29.19", true, sequence(boolean(true))),
        extension("2.5.29.15", true, KEY_USAGE),
        extension("2.5.29.37", false, sequence(objectId("1.3.6.1.5.5.7.3.1"), objectId("1.3.6.1.5.5.7.3.2"))),
        extension("2.5.29.17", false, sequence(implicit(2, HOST))),
      ),
    ),
  );
  const der = sequence(tbs, ECDSA_WITH_SHA256, bitString(sign("sha256", tbs, privateKey)));
  const base64 = der.toString("base64").replace(/(.{64})/g, "$1\n");
  return {
    cert: `-----BEGIN CERTIFICATE-----\n${base64.replace(/\n$/, "")}\n-----END CERTIFICATE-----\n`,
    key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    der,
  };
}

/** The line go-plugin reads on the plugin's stdout: versions, address, gRPC, and the server cert (unpadded base64 DER). */
export function handshakeLine(port: number, der: Buffer): string {
  const cert = der.toString("base64").replace(/=+$/, "");
  return [CORE_PROTOCOL_VERSION, PLUGIN_PROTOCOL_VERSION, "tcp", `127.0.0.1:${port}`, "grpc", cert].join("|");
}
