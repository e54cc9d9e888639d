import { createPrivateKey, X509Certificate } from "node:crypto";
import bcryptjs from "bcryptjs";
import { describe, expect, it } from "vitest";
import { renderTemplates } from "../engine";

const render = (text: string, dot: unknown = null) => renderTemplates({ t: text }, dot).t as string;

// Expected values come from Sprig's documentation (docs/*.md) and tests (*_test.go) at v3.3.0, and from
// the Go standard library's documented behaviour, unless a comment says otherwise.

describe("lists", () => {
  it("has must variants that fail as the plain ones do", () => {
    expect(render("{{ mustFirst (list 1 2) }} {{ mustLast (list 1 2) }} {{ mustRest (list 1 2 3) }}")).toBe(
      "1 2 [2 3]",
    );
    expect(
      render("{{ mustAppend (list 1) 2 }} {{ mustPrepend (list 1) 0 }} {{ mustUniq (list 1 1 2) }}"),
    ).toBe("[1 2] [0 1] [1 2]");
    expect(render("{{ tuple 1 2 }} {{ mustChunk 2 (list 1 2 3) }} {{ mustWithout (list 1 2 3) 2 }}")).toBe(
      "[1 2] [[1 2] [3]] [1 3]",
    );
    expect(() => render('{{ mustFirst "x" }}')).toThrow("Cannot find first on type string");
  });
});

describe("strings", () => {
  it("abbreviates at both ends (goutils.AbbreviateFull)", () => {
    expect(render('{{ abbrevboth 5 10 "1234 5678 9123" }}')).toBe("...5678...");
    expect(render('{{ abbrev 5 "hello world" }}')).toBe("he...");
    expect(render('{{ trimall "$" "$5.00$" }} {{ hello }}')).toBe("5.00 Hello!");
  });

  it("shuffles the characters", () => {
    const out = render('{{ shuffle "abcdef" }}');
    expect([...out].sort().join("")).toBe("abcdef");
  });

  it("knows Go's type names", () => {
    expect(
      render('{{ typeIsLike "time.Duration" (mustToDuration 1) }} {{ kindOf (mustToDuration 1) }}'),
    ).toBe("true int64");
    expect(render('{{ typeOf (semver "1.2.3") }} {{ kindOf (semver "1.2.3") }} {{ typeOf now }}')).toBe(
      "*semver.Version ptr time.Time",
    );
  });
});

describe("regular expressions", () => {
  it("matches, finds, replaces and splits", () => {
    expect(render('{{ mustRegexMatch "^[a-z]+\\\\.[0-9]$" "abc.1" }}')).toBe("true");
    expect(render('{{ mustRegexFindAll "[2,4,6,8]" "123456789" -1 }}')).toBe("[2 4 6 8]");
    expect(render('{{ mustRegexFind "[a-zA-Z][1-9]" "abcd1234" }}')).toBe("d1");
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Go's ${1} expansion
    expect(render('{{ mustRegexReplaceAll "a(x*)b" "-ab-axxb-" "${1}W" }}')).toBe("-W-xxW-");
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${1}
    expect(render('{{ mustRegexReplaceAllLiteral "a(x*)b" "-ab-axxb-" "${1}" }}')).toBe("-${1}-${1}-");
    expect(render('{{ mustRegexSplit "z+" "pizza" -1 }} {{ regexSplit "z+" "pizza" 1 }}')).toBe(
      "[pi a] [pizza]",
    );
  });

  it("fails must functions on a bad pattern, and regexMatch answers false", () => {
    expect(render('{{ regexMatch "(" "x" }}')).toBe("false");
    expect(() => render('{{ mustRegexMatch "(" "x" }}')).toThrow(
      "error calling mustRegexMatch: error parsing regexp",
    );
    expect(() => render('{{ regexFind "(" "x" }}')).toThrow('regexp: Compile("("): error parsing regexp');
  });
});

describe("math", () => {
  it("computes the f functions in decimal, as shopspring/decimal does", () => {
    expect(
      render("{{ addf 1.1 2.2 }} {{ add1f 1.1 }} {{ subf 1.5 1.1 }} {{ mulf 1.1 3 }} {{ divf 10 3 }}"),
    ).toBe("3.3 2.1 0.4 3.3 3.3333333333333335");
    expect(render("{{ biggest 1 5 3 }} {{ round -2.5 0 }} {{ round 123.5555 3 }}")).toBe("5 -3 123.556");
    const r = Number(render("{{ randInt 3 5 }}"));
    expect(r === 3 || r === 4).toBe(true);
    expect(() => render("{{ divf 1 0 }}")).toThrow("decimal division by zero");
  });
});

describe("paths and URLs", () => {
  it("uses Go's path package", () => {
    expect(
      render('{{ base "foo/bar/baz" }} {{ dir "foo/bar/baz" }} {{ clean "foo/../bar" }} {{ ext "foo.bar" }}'),
    ).toBe("baz foo/bar bar .bar");
    expect(
      render('{{ isAbs "/a" }} {{ osBase "/a/b/" }} {{ osDir "a" }} {{ osClean "" }} {{ osExt "a/b.c/d" }}'),
    ).toBe("true b . . ");
  });

  it("parses and joins URLs as net/url does", () => {
    expect(render('{{ urlParse "http://admin:secret@server.com:8080/api?list=false#anchor" }}')).toBe(
      "map[fragment:anchor host:server.com:8080 hostname:server.com opaque: path:/api query:list=false scheme:http userinfo:admin:secret]",
    );
    expect(
      render(
        '{{ urlJoin (dict "fragment" "fragment" "host" "host:80" "path" "/path" "query" "query" "scheme" "http") }}',
      ),
    ).toBe("http://host:80/path?query#fragment");
    expect(render('{{ urlJoin (dict "scheme" "mailto" "opaque" "joe@example.com") }}')).toBe(
      "mailto:joe@example.com",
    );
  });
});

describe("dates", () => {
  it("formats, parses and measures as Go's time package", () => {
    expect(render('{{ date "2006-01-02 15:04:05 MST" 0 }}')).toBe("1970-01-01 00:00:00 UTC");
    expect(render('{{ dateInZone "2006-01-02 15:04" 1700000000 "UTC" }}')).toBe("2023-11-14 22:13");
    expect(render('{{ toDate "2006-01-02" "2017-12-31" | date "02/01/2006" }}')).toBe("31/12/2017");
    expect(render('{{ toDate "2006-01-02" "nope" }}')).toBe("0001-01-01 00:00:00 +0000 UTC");
    expect(() => render('{{ mustToDate "2006-01-02" "nope" }}')).toThrow(
      'parsing time "nope" as "2006-01-02": cannot parse "nope" as "2006"',
    );
    expect(render('{{ toDate "2006-01-02T15:04:05Z07:00" "2024-02-03T04:05:06Z" | unixEpoch }}')).toBe(
      "1706933106",
    );
    expect(
      render('{{ toDate "2006-01-02" "2024-02-03" | dateModify "-1.5h" | date "2006-01-02 15:04" }}'),
    ).toBe("2024-02-02 22:30");
    expect(render('{{ toDate "2006-01-02" "2024-02-03" | dateModify "nope" | htmlDate }}')).toBe(
      "2024-02-03",
    );
    expect(() => render('{{ toDate "2006-01-02" "2024-02-03" | mustDateModify "nope" }}')).toThrow(
      'time: invalid duration "nope"',
    );
  });

  it("formats durations as Sprig's tests expect", () => {
    expect(render('{{ duration "61" }} {{ duration "3600" }} {{ duration "93784" }}')).toBe(
      "1m1s 1h0m0s 26h3m4s",
    );
    expect(
      render('{{ durationRound "2h5s" }} {{ durationRound "24h5s" }} {{ durationRound "2400h5s" }}'),
    ).toBe("2h 1d 3mo");
    expect(render("{{ ago now }}")).toBe("0s");
  });
});

describe("crypto", () => {
  it("derives Master Password passwords as Sprig's tests expect", () => {
    expect(render('{{ derivePassword 1 "long" "password" "user" "example.com" }}')).toBe("ZedaFaxcZaso9*");
    expect(render('{{ derivePassword 1 "pin" "password" "user" "example.com" }}')).toBe("6685");
    expect(render('{{ derivePassword 1 "nope" "password" "user" "example.com" }}')).toBe(
      "cannot find password template nope",
    );
  });

  it("hashes with bcrypt as Go's bcrypt does ($2a$, cost 10)", () => {
    const hash = render('{{ bcrypt "secret" }}');
    expect(hash).toMatch(/^\$2a\$10\$/);
    expect(bcryptjs.compareSync("secret", hash)).toBe(true);
    const line = render('{{ htpasswd "user" "pw" }}');
    expect(line.startsWith("user:$2a$10$")).toBe(true);
    expect(render('{{ htpasswd "a:b" "pw" }}')).toBe("invalid username: a:b");
  });

  it("encrypts and decrypts AES-256-CBC", () => {
    expect(render('{{ encryptAES "secretkey" "plaintext" | decryptAES "secretkey" }}')).toBe("plaintext");
    expect(render('{{ encryptAES "k" "" }}|{{ decryptAES "k" "" }}')).toBe("|");
  });

  it("generates keys Go would write", () => {
    const ec = render('{{ genPrivateKey "ecdsa" }}');
    expect(ec).toMatch(/^-----BEGIN EC PRIVATE KEY-----\n/);
    expect(createPrivateKey(ec).asymmetricKeyType).toBe("ec");
    expect(render('{{ genPrivateKey "ed25519" }}')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(render('{{ genPrivateKey "dsa" }}')).toMatch(/^-----BEGIN DSA PRIVATE KEY-----\n/);
    expect(render('{{ genPrivateKey "nope" }}')).toBe("Unknown type nope");
    expect(render("{{ randBytes 12 | len }}")).toBe("16");
  });

  it("makes certificates from given keys and rebuilds custom ones", () => {
    const out = render(
      '{{ $k := genPrivateKey "ecdsa" }}{{ $c := genSelfSignedCertWithKey "me" nil (list "a.example") 10 $k }}{{ $c.Cert | b64enc }} {{ $c.Key | b64enc }} {{ $b := buildCustomCert ($c.Cert | b64enc) ($c.Key | b64enc) }}{{ eq $b.Cert $c.Cert }}',
    );
    const [cert, , same] = out.split(" ") as [string, string, string];
    const x509 = new X509Certificate(Buffer.from(cert, "base64"));
    expect(x509.subject).toBe("CN=me");
    expect(x509.subjectAltName).toBe("DNS:a.example");
    expect(x509.verify(x509.publicKey)).toBe(true);
    expect(same).toBe("true");
    expect(() => render('{{ genCAWithKey "x" 1 "nope" }}')).toThrow(
      "parsing private key: no PEM data in input",
    );
    expect(() => render('{{ genSelfSignedCert "x" (list "nope") nil 1 }}')).toThrow("error parsing ip: nope");
    expect(() => render('{{ buildCustomCert "!!" "" }}')).toThrow("unable to decode base64 certificate");
  });
});
