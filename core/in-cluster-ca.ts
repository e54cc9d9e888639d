import { createHmac, createPrivateKey, createPublicKey, webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";

/**
 * The certificate authority pods trust for `https://kubernetes.default.svc` (`ca.crt`, `kube-root-ca.crt`).
 * Derived from the platform's token secret, as cluster tokens are: an Ed25519 key from an HMAC of the
 * secret and a certificate with fixed fields (Ed25519 signatures are deterministic), so every API, worker
 * and node agent holds the same CA without storing or sharing anything.
 */
export interface InClusterCa {
  /** PEM of the CA certificate. */
  cert: string;
  key: webcrypto.CryptoKey;
}

const ED25519 = { name: "Ed25519" } as const;
const PKCS8_ED25519_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
const CA_NOT_BEFORE = new Date("2025-01-01T00:00:00Z");
const CA_NOT_AFTER = new Date("2125-01-01T00:00:00Z");
/** kube-apiserver's serving certificates last a year; the node agent issues a new one long before. */
const SERVING_DAYS = 365;

async function ed25519From(seed: Buffer): Promise<webcrypto.CryptoKeyPair> {
  const der = Buffer.concat([PKCS8_ED25519_PREFIX, seed]);
  const spki = createPublicKey(createPrivateKey({ key: der, format: "der", type: "pkcs8" })).export({
    type: "spki",
    format: "der",
  });
  const { subtle } = webcrypto;
  return {
    privateKey: await subtle.importKey("pkcs8", der, ED25519, false, ["sign"]),
    publicKey: await subtle.importKey("spki", spki, ED25519, true, ["verify"]),
  };
}

const cached = new Map<string, Promise<InClusterCa>>();

/** The platform's in-cluster CA for this token secret: the same on every process. */
export function inClusterCa(tokenSecret: string): Promise<InClusterCa> {
  let ca = cached.get(tokenSecret);
  if (!ca) {
    ca = makeCa(tokenSecret);
    cached.set(tokenSecret, ca);
  }
  return ca;
}

async function makeCa(tokenSecret: string): Promise<InClusterCa> {
  const seed = createHmac("sha256", tokenSecret).update("timonier in-cluster ca").digest();
  const keys = await ed25519From(seed);
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: "01",
      name: "CN=timonier-in-cluster-ca",
      notBefore: CA_NOT_BEFORE,
      notAfter: CA_NOT_AFTER,
      signingAlgorithm: ED25519,
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    },
    webcrypto,
  );
  return { cert: cert.toString("pem"), key: keys.privateKey };
}

/** The names a pod may use for its cluster's API, as kube-apiserver's serving certificate lists them. */
export function kubernetesServiceNames(): string[] {
  return [
    "kubernetes",
    "kubernetes.default",
    "kubernetes.default.svc",
    "kubernetes.default.svc.cluster.local",
  ];
}

export interface ServingCertificate {
  cert: string;
  key: string;
  notAfter: Date;
}

/**
 * A serving certificate (ECDSA P-256, which every TLS client speaks) for a cluster's `kubernetes` Service:
 * its names and ClusterIP, and the netd address that also serves it, signed by the in-cluster CA.
 */
export async function issueServingCertificate(
  ca: InClusterCa,
  ips: string[],
  now: Date,
): Promise<ServingCertificate> {
  const { subtle } = webcrypto;
  const alg = { name: "ECDSA", namedCurve: "P-256" } as const;
  const keys = (await subtle.generateKey(alg, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
  const issuer = new x509.X509Certificate(ca.cert);
  const notAfter = new Date(now.getTime() + SERVING_DAYS * 24 * 3600 * 1000);
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(16))).toString("hex"),
      subject: "CN=kube-apiserver",
      issuer: issuer.subject,
      notBefore: new Date(now.getTime() - 60_000),
      notAfter,
      signingAlgorithm: ED25519,
      publicKey: keys.publicKey,
      signingKey: ca.key,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension([
          ...kubernetesServiceNames().map((value) => ({ type: "dns" as const, value })),
          ...ips.map((value) => ({ type: "ip" as const, value })),
        ]),
        await x509.AuthorityKeyIdentifierExtension.create(issuer, false, webcrypto),
      ],
    },
    webcrypto,
  );
  const pkcs8 = Buffer.from(await subtle.exportKey("pkcs8", keys.privateKey)).toString("base64");
  const key = `-----BEGIN PRIVATE KEY-----\n${pkcs8.match(/.{1,64}/g)?.join("\n")}\n-----END PRIVATE KEY-----\n`;
  return { cert: cert.toString("pem"), key, notAfter };
}
