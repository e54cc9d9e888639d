import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { generate } from "selfsigned";

export interface ServingCert {
  cert: string;
  key: string;
}

/**
 * The HTTPS serving certificate of the Kubernetes API (kubectl sends tokens over TLS only). Operators may
 * drop their own cert.pem/key.pem in `dir`; otherwise a self-signed one for `hosts` is made once and kept.
 * The kubeconfig carries the certificate as its certificate authority.
 */
export async function ensureServingCert(dir: string, hosts: string[]): Promise<ServingCert> {
  const certPath = join(dir, "cert.pem");
  const keyPath = join(dir, "key.pem");
  if (existsSync(certPath) && existsSync(keyPath)) {
    return { cert: await readFile(certPath, "utf8"), key: await readFile(keyPath, "utf8") };
  }
  const isIp = (h: string) => /^[\d.]+$/.test(h) || h.includes(":");
  const pems = await generate([{ name: "commonName", value: "timonier-apiserver" }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notAfterDate: new Date(Date.now() + 10 * 365 * 24 * 3600 * 1000),
    extensions: [
      { name: "basicConstraints", cA: true, critical: true },
      { name: "keyUsage", digitalSignature: true, keyCertSign: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [...new Set(["127.0.0.1", "localhost", ...hosts])].map((h) =>
          isIp(h) ? { type: 7 as const, ip: h } : { type: 2 as const, value: h },
        ),
      },
    ],
  });
  await mkdir(dir, { recursive: true });
  await writeFile(certPath, pems.cert);
  await writeFile(keyPath, pems.private, { mode: 0o600 });
  return { cert: pems.cert, key: pems.private };
}
