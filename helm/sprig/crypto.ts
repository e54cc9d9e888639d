import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  scryptSync,
  sign,
  X509Certificate,
} from "node:crypto";
import { isIP } from "node:net";
import bcryptjs from "bcryptjs";
import type { TemplateFunc } from "../template/exec";
import { formatValue } from "../template/format";
import { isNil, typeName } from "../template/values";
import { str, toInt64 } from "./convert";
import * as der from "./der";

/** Sprig's certificate struct: the PEM texts of a certificate and of its private key. */
export class Certificate {
  static goType = "sprig.certificate";

  constructor(
    readonly Cert: string,
    readonly Key: string,
  ) {}
}

/** Go's pem.EncodeToMemory. */
function pem(type: string, bytes: Buffer): string {
  const lines = bytes.toString("base64").match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${type}-----\n${lines.map((l) => `${l}\n`).join("")}-----END ${type}-----\n`;
}

/** Go's pem.Decode: the first block, or undefined. */
function pemDecode(text: string): { type: string; bytes: Buffer } | undefined {
  const m = /-----BEGIN ([^-\n]*)-----\r?\n([\s\S]*?)-----END \1-----/.exec(text);
  if (!m) return undefined;
  const body = (m[2] as string)
    .split(/\r?\n/)
    .filter((l) => !l.includes(":"))
    .join("");
  return { type: m[1] as string, bytes: Buffer.from(body, "base64") };
}

/** A private key: a Node key for RSA, ECDSA and Ed25519; DSA keeps its numbers (Go cannot sign with it). */
type PrivateKey =
  | { kind: "node"; key: KeyObject }
  | { kind: "dsa"; p: bigint; q: bigint; g: bigint; y: bigint; x: bigint };

function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  let b = base % mod;
  for (let e = exp; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % mod;
    b = (b * b) % mod;
  }
  return result;
}

/** The PEM block Sprig writes for each kind of key (pemBlockForKey). */
function pemForKey(k: PrivateKey): string {
  if (k.kind === "dsa")
    return pem(
      "DSA PRIVATE KEY",
      der.seq(der.int(0n), der.int(k.p), der.int(k.q), der.int(k.g), der.int(k.y), der.int(k.x)),
    );
  switch (k.key.asymmetricKeyType) {
    case "rsa":
      return pem("RSA PRIVATE KEY", k.key.export({ type: "pkcs1", format: "der" }));
    case "ec":
      return pem("EC PRIVATE KEY", k.key.export({ type: "sec1", format: "der" }));
    default:
      return pem("PRIVATE KEY", k.key.export({ type: "pkcs8", format: "der" }));
  }
}

function generateDsa(): PrivateKey {
  const { privateKey } = generateKeyPairSync("dsa", { modulusLength: 2048, divisorLength: 256 });
  // PKCS#8: SEQ { version, SEQ { oid, SEQ { p, q, g } }, OCTET STRING { INTEGER x } }
  const top = der.children(der.read(privateKey.export({ type: "pkcs8", format: "der" })).content);
  const params = der.children(der.children((top[1] as der.Element).content)[1]?.content ?? Buffer.alloc(0));
  const x = der.bigintOf(der.read((top[2] as der.Element).content).content);
  const [p, q, g] = params.map((e) => der.bigintOf(e.content)) as [bigint, bigint, bigint];
  return { kind: "dsa", p, q, g, y: modPow(g, x, p), x };
}

function parsePrivateKeyPEM(text: string): PrivateKey {
  const block = pemDecode(text);
  if (!block) throw new Error("no PEM data in input");
  const load = (format: "pkcs8" | "pkcs1" | "sec1", what: string) => {
    try {
      return {
        kind: "node",
        key: createPrivateKey({ key: block.bytes, format: "der", type: format }),
      } as const;
    } catch (e) {
      throw new Error(`${what}: ${(e as Error).message}`);
    }
  };
  if (block.type === "PRIVATE KEY") return load("pkcs8", "decoding PEM as PKCS#8");
  if (!block.type.endsWith(" PRIVATE KEY"))
    throw new Error(`no private key data in PEM block of type ${block.type}`);
  switch (block.type.slice(0, -12)) {
    case "RSA":
      return load("pkcs1", "parsing RSA private key from PEM");
    case "EC":
      return load("sec1", "parsing EC private key from PEM");
    case "DSA": {
      try {
        const [, p, q, g, y, x] = der
          .children(der.read(block.bytes).content)
          .map((e) => der.bigintOf(e.content));
        if (x === undefined) throw new Error("asn1: syntax error: sequence truncated");
        return { kind: "dsa", p: p as bigint, q: q as bigint, g: g as bigint, y: y as bigint, x };
      } catch (e) {
        throw new Error(`parsing DSA private key from PEM: ${(e as Error).message}`);
      }
    }
    default:
      throw new Error(`invalid private key type ${block.type}`);
  }
}

const OID = {
  commonName: "2.5.4.3",
  sha256WithRSA: "1.2.840.113549.1.1.11",
  ecdsaWithSHA256: "1.2.840.10045.4.3.2",
  ecdsaWithSHA384: "1.2.840.10045.4.3.3",
  ecdsaWithSHA512: "1.2.840.10045.4.3.4",
  ed25519: "1.3.101.112",
  keyUsage: "2.5.29.15",
  extKeyUsage: "2.5.29.37",
  basicConstraints: "2.5.29.19",
  subjectKeyId: "2.5.29.14",
  authorityKeyId: "2.5.29.35",
  subjectAltName: "2.5.29.17",
  serverAuth: "1.3.6.1.5.5.7.3.1",
  clientAuth: "1.3.6.1.5.5.7.3.2",
};

/** The signature algorithm Go's x509 picks for a key, and how to sign with it. */
function signer(k: PrivateKey): { algorithm: Buffer; sign: (data: Buffer) => Buffer } {
  if (k.kind === "dsa") throw new Error("x509: certificate private key does not implement crypto.Signer");
  const key = k.key;
  switch (key.asymmetricKeyType) {
    case "rsa":
      return {
        algorithm: der.seq(der.oid(OID.sha256WithRSA), der.nul()),
        sign: (d) => sign("sha256", d, key),
      };
    case "ec": {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      const [hash, id] =
        curve === "secp384r1"
          ? ["sha384", OID.ecdsaWithSHA384]
          : curve === "secp521r1"
            ? ["sha512", OID.ecdsaWithSHA512]
            : ["sha256", OID.ecdsaWithSHA256];
      return { algorithm: der.seq(der.oid(id as string)), sign: (d) => sign(hash as string, d, key) };
    }
    case "ed25519":
      return { algorithm: der.seq(der.oid(OID.ed25519)), sign: (d) => sign(null, d, key) };
    default:
      throw new Error("x509: only RSA, ECDSA and Ed25519 keys supported");
  }
}

function publicKeyInfo(k: PrivateKey): Buffer {
  if (k.kind === "dsa") throw new Error("x509: only RSA, ECDSA, Ed25519, and X25519 keys supported");
  return createPublicKey(k.key).export({ type: "spki", format: "der" });
}

const extension = (id: string, critical: boolean, value: Buffer) =>
  der.seq(der.oid(id), ...(critical ? [der.bool(true)] : []), der.octets(value));

/** An IP as Go's net.ParseIP reads it, 4 bytes for IPv4 as x509 writes it. */
function ipBytes(ip: string): Buffer | undefined {
  const v = isIP(ip);
  if (v === 4) return Buffer.from(ip.split(".").map(Number));
  if (v !== 6) return undefined;
  const [head, tail] = ip.includes("::") ? (ip.split("::") as [string, string]) : [ip, undefined];
  const groups = (s: string) => (s ? s.split(":") : []);
  let h = groups(head);
  let t = tail === undefined ? [] : groups(tail);
  const last = (t.length ? t : h).at(-1) ?? "";
  let v4: number[] = [];
  if (last.includes(".")) {
    v4 = last.split(".").map(Number);
    if (t.length) t = t.slice(0, -1);
    else h = h.slice(0, -1);
  }
  const fill = 8 - h.length - t.length - v4.length / 2;
  const all = [...h, ...Array(tail === undefined ? 0 : fill).fill("0"), ...t].map((g) =>
    Number.parseInt(g, 16),
  );
  const bytes = Buffer.alloc(16);
  all.forEach((g, i) => {
    bytes.writeUInt16BE(g, i * 2);
  });
  v4.forEach((b, i) => {
    bytes[12 + i] = b;
  });
  // an IPv4-mapped address is written as 4 bytes, as Go's To4 finds it
  if (bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff)
    return bytes.subarray(12);
  return bytes;
}

function listArg(v: unknown): unknown[] {
  if (isNil(v)) return [];
  if (Array.isArray(v)) return v;
  throw new Error(`wrong type for value; expected []interface {}; got ${typeName(v)}`);
}

interface Template {
  cn: string;
  ips: Buffer[];
  dns: string[];
  days: bigint;
  isCA: boolean;
}

function baseTemplate(cn: unknown, ips: unknown, dns: unknown, days: unknown): Template {
  const ipList = listArg(ips).map((ip) => {
    if (typeof ip !== "string") throw new Error(`error parsing ip: ${formatValue(ip)} is not a string`);
    const b = ipBytes(ip);
    if (!b) throw new Error(`error parsing ip: ${ip}`);
    return b;
  });
  const dnsList = listArg(dns).map((d) => {
    if (typeof d !== "string")
      throw new Error(`error processing alternate dns name: ${formatValue(d)} is not a string`);
    return d;
  });
  return { cn: str(cn), ips: ipList, dns: dnsList, days: toInt64(days), isCA: false };
}

const nameOf = (cn: string) => der.seq(der.set(der.seq(der.oid(OID.commonName), der.asn1String(cn))));

/** x509.CreateCertificate for Sprig's templates: serial < 2^128, now to now + days, server and client auth. */
function createCertificate(
  t: Template,
  subjectKey: PrivateKey,
  issuer: { name: Buffer; keyId?: Buffer; key: PrivateKey } | undefined,
): Certificate {
  const spki = publicKeyInfo(subjectKey);
  const s = signer(issuer?.key ?? subjectKey);
  const subject = nameOf(t.cn);
  const serial = BigInt(`0x${randomBytes(16).toString("hex")}`);
  const now = new Date();
  const notAfter = new Date(now.getTime() + Number(t.days) * 86_400_000);
  const usage = t.isCA ? der.bitString(Buffer.from([0xa4]), 2) : der.bitString(Buffer.from([0xa0]), 5);
  const extensions = [
    extension(OID.keyUsage, true, usage),
    extension(OID.extKeyUsage, false, der.seq(der.oid(OID.serverAuth), der.oid(OID.clientAuth))),
    extension(OID.basicConstraints, true, t.isCA ? der.seq(der.bool(true)) : der.seq()),
  ];
  let subjectKeyId: Buffer | undefined;
  if (t.isCA) {
    // Go derives a CA's key id from the SHA-1 of its public key's bits
    const bits = der.children(der.read(spki).content)[1]?.content.subarray(1) ?? Buffer.alloc(0);
    subjectKeyId = createHash("sha1").update(bits).digest();
    extensions.push(extension(OID.subjectKeyId, false, der.octets(subjectKeyId)));
  }
  const issuerName = issuer?.name ?? subject;
  if (issuer?.keyId && !issuerName.equals(subject))
    extensions.push(extension(OID.authorityKeyId, false, der.seq(der.tlv(0x80, issuer.keyId))));
  if (t.dns.length || t.ips.length)
    extensions.push(
      extension(
        OID.subjectAltName,
        false,
        der.seq(...t.dns.map((d) => der.tlv(0x82, Buffer.from(d))), ...t.ips.map((ip) => der.tlv(0x87, ip))),
      ),
    );
  const tbs = der.seq(
    der.explicit(0, der.int(2n)),
    der.int(serial),
    s.algorithm,
    issuerName,
    der.seq(der.time(now), der.time(notAfter)),
    subject,
    spki,
    der.explicit(3, der.seq(...extensions)),
  );
  const cert = der.seq(tbs, s.algorithm, der.bitString(s.sign(tbs)));
  return new Certificate(pem("CERTIFICATE", cert), pemForKey(subjectKey));
}

const rsa2048 = (): PrivateKey => ({
  kind: "node",
  key: generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey,
});

function withKey(text: unknown): PrivateKey {
  try {
    return parsePrivateKeyPEM(str(text));
  } catch (e) {
    throw new Error(`parsing private key: ${(e as Error).message}`);
  }
}

function certArg(v: unknown): Certificate {
  if (v instanceof Certificate) return v;
  throw new Error(`wrong type for value; expected sprig.certificate; got ${typeName(v)}`);
}

/** The signer of genSignedCert: the CA's subject (as encoded), key id and key. */
function issuerOf(ca: Certificate): { name: Buffer; keyId?: Buffer; key: PrivateKey } {
  const block = pemDecode(ca.Cert);
  if (!block) throw new Error("unable to decode certificate");
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(block.bytes);
  } catch (e) {
    throw new Error(`error parsing certificate: decodedSignerCert.Bytes: ${(e as Error).message}`);
  }
  let key: PrivateKey;
  try {
    key = parsePrivateKeyPEM(ca.Key);
  } catch (e) {
    throw new Error(`error parsing private key: ${(e as Error).message}`);
  }
  // tbsCertificate: [0] version, serial, signature, issuer, validity, subject, spki, [3] extensions
  const tbs = der.children(der.children(der.read(x509.raw).content)[0]?.content ?? Buffer.alloc(0));
  const name = (tbs[5] as der.Element).raw;
  let keyId: Buffer | undefined;
  const exts = tbs.find((e) => e.tag === 0xa3);
  if (exts)
    for (const ext of der.children(der.read(exts.content).content)) {
      const [id, ...rest] = der.children(ext.content);
      if (id?.raw.equals(der.oid(OID.subjectKeyId)))
        keyId = der.read((rest.at(-1) as der.Element).content).content;
    }
  return { name: Buffer.from(name), keyId, key };
}

function generatePrivateKey(type: string): string {
  switch (type) {
    case "":
    case "rsa":
      return pemForKey({ kind: "node", key: generateKeyPairSync("rsa", { modulusLength: 4096 }).privateKey });
    case "dsa":
      return pemForKey(generateDsa());
    case "ecdsa":
      return pemForKey({ kind: "node", key: generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey });
    case "ed25519":
      return pemForKey({ kind: "node", key: generateKeyPairSync("ed25519").privateKey });
    default:
      return `Unknown type ${type}`;
  }
}

/** Go's base64.StdEncoding.DecodeString, with its error text. */
export function base64Decode(text: string): Buffer {
  const s = text.replace(/[\r\n]/g, "");
  const bad = /[^A-Za-z0-9+/=]/.exec(s);
  if (bad) throw new Error(`illegal base64 data at input byte ${bad.index}`);
  const pad = s.indexOf("=");
  if (s.length % 4 !== 0 || (pad >= 0 && (pad < s.length - 2 || /[^=]/.test(s.slice(pad)))))
    throw new Error(`illegal base64 data at input byte ${pad >= 0 ? pad : s.length - (s.length % 4)}`);
  return Buffer.from(s, "base64");
}

function bcrypt(input: string): string {
  if (Buffer.byteLength(input) > 72)
    return "failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes";
  // Go's bcrypt writes version 2a; the hash is the same
  const salt = bcryptjs.genSaltSync(10).replace(/^\$2b\$/, "$2a$");
  return bcryptjs.hashSync(input, salt);
}

const PASSWORD_TEMPLATES: Record<string, string[]> = {
  maximum: ["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
  long: [
    "CvcvnoCvcvCvcv",
    "CvcvCvcvnoCvcv",
    "CvcvCvcvCvcvno",
    "CvccnoCvcvCvcv",
    "CvccCvcvnoCvcv",
    "CvccCvcvCvcvno",
    "CvcvnoCvccCvcv",
    "CvcvCvccnoCvcv",
    "CvcvCvccCvcvno",
    "CvcvnoCvcvCvcc",
    "CvcvCvcvnoCvcc",
    "CvcvCvcvCvccno",
    "CvccnoCvccCvcv",
    "CvccCvccnoCvcv",
    "CvccCvccCvcvno",
    "CvcvnoCvccCvcc",
    "CvcvCvccnoCvcc",
    "CvcvCvccCvccno",
    "CvccnoCvcvCvcc",
    "CvccCvcvnoCvcc",
    "CvccCvcvCvccno",
  ],
  medium: ["CvcnoCvc", "CvcCvcno"],
  short: ["Cvcn"],
  basic: ["aaanaaan", "aannaaan", "aaannaaa"],
  pin: ["nnnn"],
};

const TEMPLATE_CHARACTERS: Record<string, string> = {
  V: "AEIOU",
  C: "BCDFGHJKLMNPQRSTVWXYZ",
  v: "aeiou",
  c: "bcdfghjklmnpqrstvwxyz",
  A: "AEIOUBCDFGHJKLMNPQRSTVWXYZ",
  a: "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
  n: "0123456789",
  o: "@&%?,=[]_:-+*$#!'^~;()/.",
  x: "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
};

/** Master Password's derivation (scrypt N=32768 r=8 p=2, then HMAC-SHA256 of the site), as Sprig does it. */
function derivePassword(counter: bigint, type: string, password: string, user: string, site: string): string {
  const templates = PASSWORD_TEMPLATES[type];
  if (!templates) return `cannot find password template ${type}`;
  const u32 = (n: number | bigint) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(Number(BigInt.asUintN(32, BigInt(n))));
    return b;
  };
  const seed = Buffer.from("com.lyndir.masterpassword");
  const salt = Buffer.concat([seed, u32(Buffer.byteLength(user)), Buffer.from(user)]);
  const key = scryptSync(Buffer.from(password), salt, 64, {
    N: 32768,
    r: 8,
    p: 2,
    maxmem: 256 * 1024 * 1024,
  });
  const data = Buffer.concat([seed, u32(Buffer.byteLength(site)), Buffer.from(site), u32(counter)]);
  const hmac = createHmac("sha256", key).update(data).digest();
  const template = templates[(hmac[0] as number) % templates.length] as string;
  return [...template]
    .map((c, i) => {
      const chars = TEMPLATE_CHARACTERS[c] as string;
      return chars[(hmac[i + 1] as number) % chars.length];
    })
    .join("");
}

function aesKey(password: string): Buffer {
  const key = Buffer.alloc(32);
  Buffer.from(password).copy(key, 0, 0, 32);
  return key;
}

/** Sprig's hashes of passwords, keys, certificates and AES. */
export const sprigCrypto: Record<string, TemplateFunc> = {
  bcrypt: (s) => bcrypt(str(s)),
  htpasswd: (user, password) => {
    const u = str(user);
    if (u.includes(":")) return `invalid username: ${u}`;
    return `${u}:${bcrypt(str(password))}`;
  },
  derivePassword: (counter, type, password, user, site) =>
    derivePassword(toInt64(counter), str(type), str(password), str(user), str(site)),
  randBytes: (count) => randomBytes(Math.max(0, Number(toInt64(count)))).toString("base64"),
  genPrivateKey: (type) => generatePrivateKey(str(type)),
  buildCustomCert: (b64cert, b64key) => {
    let cert: Buffer;
    let key: Buffer;
    try {
      cert = base64Decode(str(b64cert));
    } catch {
      throw new Error("unable to decode base64 certificate");
    }
    try {
      key = base64Decode(str(b64key));
    } catch {
      throw new Error("unable to decode base64 private key");
    }
    const block = pemDecode(cert.toString());
    if (!block) throw new Error("unable to decode certificate");
    try {
      new X509Certificate(block.bytes);
    } catch (e) {
      throw new Error(`error parsing certificate: decodedCert.Bytes: ${(e as Error).message}`);
    }
    try {
      parsePrivateKeyPEM(key.toString());
    } catch (e) {
      throw new Error(`error parsing private key: ${(e as Error).message}`);
    }
    return new Certificate(cert.toString(), key.toString());
  },
  genCA: (cn, days) =>
    createCertificate({ ...baseTemplate(cn, null, null, days), isCA: true }, rsa2048(), undefined),
  genCAWithKey: (cn, days, key) => {
    const k = withKey(key);
    return createCertificate({ ...baseTemplate(cn, null, null, days), isCA: true }, k, undefined);
  },
  genSelfSignedCert: (cn, ips, dns, days) =>
    createCertificate(baseTemplate(cn, ips, dns, days), rsa2048(), undefined),
  genSelfSignedCertWithKey: (cn, ips, dns, days, key) => {
    const k = withKey(key);
    return createCertificate(baseTemplate(cn, ips, dns, days), k, undefined);
  },
  genSignedCert: (cn, ips, dns, days, ca) => {
    const c = certArg(ca);
    const key = rsa2048();
    const t = baseTemplate(cn, ips, dns, days);
    return createCertificate(t, key, issuerOf(c));
  },
  genSignedCertWithKey: (cn, ips, dns, days, ca, key) => {
    const c = certArg(ca);
    const k = withKey(key);
    const t = baseTemplate(cn, ips, dns, days);
    return createCertificate(t, k, issuerOf(c));
  },
  encryptAES: (password, plaintext) => {
    const text = str(plaintext);
    if (text === "") return "";
    const iv = randomBytes(16);
    const cipher = createCipheriv("aes-256-cbc", aesKey(str(password)), iv);
    return Buffer.concat([iv, cipher.update(text), cipher.final()]).toString("base64");
  },
  decryptAES: (password, crypt64) => {
    const text = str(crypt64);
    if (text === "") return "";
    const crypt = base64Decode(text);
    if (crypt.length < 16)
      throw new Error(`runtime error: slice bounds out of range [:16] with capacity ${crypt.length}`);
    const body = crypt.subarray(16);
    if (body.length % 16 !== 0) throw new Error("crypto/cipher: input not full blocks");
    const decipher = createDecipheriv("aes-256-cbc", aesKey(str(password)), crypt.subarray(0, 16));
    decipher.setAutoPadding(false);
    const plain = Buffer.concat([decipher.update(body), decipher.final()]);
    if (plain.length === 0) throw new Error("runtime error: index out of range [-1]");
    const cut = plain.length - (plain[plain.length - 1] as number);
    if (cut < 0) throw new Error(`runtime error: slice bounds out of range [:${cut}]`);
    return plain.subarray(0, cut).toString();
  },
};
