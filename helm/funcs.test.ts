import { execSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { renderTemplates } from "./engine";
import { GoDuration } from "./sprig/duration";

const render = (text: string, dot: unknown = null) => renderTemplates({ t: text }, dot).t as string;
const fails = (text: string, dot: unknown = null) => expect(() => render(text, dot));

// Expected outputs below are Helm's own, from pkg/engine/funcs_test.go (TestFuncs, TestDurationHelpers)
// at the commit shared/conformance/helm names, unless a comment says otherwise.

describe("Helm's function map", () => {
  it("defines every function of pkg/engine/funcs.go and of the Sprig map it starts from", () => {
    const names = [
      // pkg/engine/funcs.go
      "toToml mustToToml fromToml toYaml mustToYaml toYamlPretty fromYaml fromYamlArray toJson mustToJson",
      "fromJson fromJsonArray mustToDuration durationSeconds durationMilliseconds durationMicroseconds",
      "durationNanoseconds durationMinutes durationHours durationDays durationWeeks durationRoundTo",
      "durationTruncateTo include tpl required lookup",
      // sprig v3.3.0 genericMap, less env and expandenv
      "hello ago date date_in_zone date_modify dateInZone dateModify duration durationRound htmlDate",
      "htmlDateInZone must_date_modify mustDateModify mustToDate now toDate unixEpoch abbrev abbrevboth trunc",
      "trim upper lower title untitle substr repeat trimall trimAll trimSuffix trimPrefix nospace initials",
      "randAlphaNum randAlpha randAscii randNumeric swapcase shuffle snakecase camelcase kebabcase wrap",
      "wrapWith contains hasPrefix hasSuffix quote squote cat indent nindent replace plural sha1sum sha256sum",
      "sha512sum adler32sum toString atoi int64 int float64 seq toDecimal split splitList splitn toStrings",
      "until untilStep add1 add sub div mod mul randInt add1f addf subf divf mulf biggest max min maxf minf",
      "ceil floor round join sortAlpha default empty coalesce all any compact mustCompact fromJson toJson",
      "toPrettyJson toRawJson mustFromJson mustToJson mustToPrettyJson mustToRawJson ternary deepCopy",
      "mustDeepCopy typeOf typeIs typeIsLike kindOf kindIs deepEqual getHostByName base dir clean ext isAbs",
      "osBase osClean osDir osExt osIsAbs b64enc b64dec b32enc b32dec tuple list dict get set unset hasKey",
      "pluck keys pick omit merge mergeOverwrite mustMerge mustMergeOverwrite values append push mustAppend",
      "mustPush prepend mustPrepend first mustFirst rest mustRest last mustLast initial mustInitial reverse",
      "mustReverse uniq mustUniq without mustWithout has mustHas slice mustSlice concat dig chunk mustChunk",
      "bcrypt htpasswd genPrivateKey derivePassword buildCustomCert genCA genCAWithKey genSelfSignedCert",
      "genSelfSignedCertWithKey genSignedCert genSignedCertWithKey encryptAES decryptAES randBytes uuidv4",
      "semver semverCompare fail regexMatch mustRegexMatch regexFindAll mustRegexFindAll regexFind",
      "mustRegexFind regexReplaceAll mustRegexReplaceAll regexReplaceAllLiteral mustRegexReplaceAllLiteral",
      "regexSplit mustRegexSplit regexQuoteMeta urlParse urlJoin",
    ]
      .join(" ")
      .split(" ");
    // parsing fails with `function "x" not defined` for a name the engine lacks
    const missing = names.filter((n) => {
      try {
        renderTemplates({ t: `{{ if false }}{{ ${n} }}{{ end }}` }, {});
        return false;
      } catch {
        return true;
      }
    });
    expect(missing).toEqual([]);
    expect(() => render("{{ env }}")).toThrow('function "env" not defined');
    expect(() => render("{{ expandenv }}")).toThrow('function "expandenv" not defined');
  });
});

describe("TOML", () => {
  it("encodes as BurntSushi/toml does", () => {
    expect(render("{{ toToml . }}", { foo: "bar" })).toBe('foo = "bar"\n');
    expect(render("{{ toToml . }}", { mast: { sail: "white" } })).toBe('[mast]\n  sail = "white"\n');
    expect(render("{{ mustToToml . }}", { foo: "bar" })).toBe('foo = "bar"\n');
  });

  it("writes plain keys first, then tables, sorted, indented by depth", () => {
    const config = {
      z: 1n,
      a: "x",
      "b c": true,
      f: 1.5,
      g: 3,
      big: 1234567,
      list: [1n, "two", [3n]],
      empty: [],
      inline: [{ k: "v" }, 1n],
      server: { port: 8080n, tls: { cert: "c" }, host: "h" },
      rules: [{ name: "r1" }, { name: "r2", sub: { x: 1n } }],
      none: null,
      esc: 'q"\\\n\t\u0001',
    };
    expect(render("{{ toToml . }}", config)).toBe(
      [
        'a = "x"',
        '"b c" = true',
        "big = 1.234567e+06",
        "empty = []",
        'esc = "q\\"\\\\\\n\\t\\u0001"',
        "f = 1.5",
        "g = 3.0",
        'inline = [{k = "v"}, 1]',
        'list = [1, "two", [3]]',
        "z = 1",
        "",
        "[[rules]]",
        '  name = "r1"',
        "",
        "[[rules]]",
        '  name = "r2"',
        "  [rules.sub]",
        "    x = 1",
        "",
        "[server]",
        '  host = "h"',
        "  port = 8080",
        "  [server.tls]",
        '    cert = "c"',
        "",
      ].join("\n"),
    );
  });

  it("returns the error as the text, or fails with mustToToml", () => {
    expect(render("{{ toToml . }}", { a: [1n, null] })).toBe("toml: cannot encode array with nil element");
    expect(render("{{ toToml . }}", [{ a: 1n }])).toBe("toml: top-level values must be Go maps or structs");
    fails("{{ mustToToml . }}", { a: [null] }).toThrow(
      "error calling mustToToml: toml: cannot encode array with nil element",
    );
  });

  it("decodes into maps, lists of tables and int64s, errors under Error", () => {
    expect(render("{{ fromToml . }}", 'hello = "world"')).toBe("map[hello:world]");
    expect(
      render(
        "{{ fromToml . }}",
        '\n[table]\nkeyInTable = "valueInTable"\n[table.subtable]\nkeyInSubtable = "valueInSubTable"',
      ),
    ).toBe("map[table:map[keyInTable:valueInTable subtable:map[keyInSubtable:valueInSubTable]]]");
    expect(
      render(
        "{{ fromToml . }}",
        '\n[[tableArray]]\nkeyInElement0 = "valueInElement0"\n[[tableArray]]\nkeyInElement1 = "valueInElement1"',
      ),
    ).toBe("map[tableArray:[map[keyInElement0:valueInElement0] map[keyInElement1:valueInElement1]]]");
    expect(render("{{ fromToml . }}", "one")).toBe(
      "map[Error:toml: line 1: unexpected EOF; expected key separator '=']",
    );
    expect(render("{{ (fromToml .).n | typeOf }} {{ (fromToml .).f | typeOf }}", "n = 1\nf = 1.0")).toBe(
      "int64 float64",
    );
  });
});

describe("YAML", () => {
  it("writes toYaml through JSON and toYamlPretty as go-yaml v3", () => {
    expect(render("{{ toYaml . }}", { foo: "bar" })).toBe("foo: bar");
    expect(render("{{ toYamlPretty . }}", { baz: [1n, 2n, 3n] })).toBe("baz:\n  - 1\n  - 2\n  - 3");
    // go-yaml v3 prints float64 with %g, so Helm's float values print 1e+06; toYaml goes through JSON
    expect(render("{{ toYamlPretty . }}", { n: 1000000, h: 0.5, i: 3 })).toBe("h: 0.5\ni: 3\nn: 1e+06");
    expect(render("{{ toYaml . }}", { n: 1000000 })).toBe("n: 1000000");
  });

  it("swallows marshal errors in toYaml and fails mustToYaml", () => {
    const loop: Record<string, unknown> = { foo: "bar" };
    loop.loop = [loop];
    expect(render("{{ toYaml . }}", loop)).toBe("");
    fails("{{ mustToYaml . }}", loop).toThrow(
      "error calling mustToYaml: error marshaling into JSON: json: unsupported value: encountered a cycle via",
    );
  });

  it("decodes as sigs.k8s.io/yaml does, errors as values", () => {
    expect(render("{{ fromYaml . }}", "hello: world")).toBe("map[hello:world]");
    expect(render("{{ fromYamlArray . }}", "- one\n- 2\n- name: helm\n")).toBe("[one 2 map[name:helm]]");
    expect(render("{{ fromYamlArray . }}", '["one", 2, { "name": "helm" }]')).toBe("[one 2 map[name:helm]]");
    expect(render("{{ fromYaml . }}", "- one\n- two\n")).toBe(
      "map[Error:error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type map[string]interface {}]",
    );
    expect(render("{{ fromYaml . }}", '["one", "two"]')).toBe(
      "map[Error:error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type map[string]interface {}]",
    );
    // the example
    expect(render('{{ fromYaml "[1, 2]" }}')).toBe(
      "map[Error:error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type map[string]interface {}]",
    );
    expect(render("{{ fromYamlArray . }}", "hello: world")).toBe(
      "[error unmarshaling JSON: while decoding JSON: json: cannot unmarshal object into Go value of type []interface {}]",
    );
    expect(render('{{ hasKey (fromYaml "a: [") "Error" }}')).toBe("true");
    expect(render('{{ (fromYaml "a: [").Error }}')).toMatch(/^error converting YAML to JSON: yaml: line /);
  });

  it("reads YAML 1.1 as go-yaml v2 does, numbers as float64", () => {
    expect(render("{{ fromYaml . }}", "a: yes\nb: off\nc: 2001-12-14\nd: 0777\ne: 1e3\nf: ~")).toBe(
      "map[a:true b:false c:2001-12-14 d:511 e:1000 f:<nil>]",
    );
    expect(render("{{ (fromYaml .).num | typeOf }}", "num: 1")).toBe("float64");
    expect(render("{{ fromYaml . }}", "x: &x {p: 1}\nz:\n  <<: *x\n  q: 2")).toBe(
      "map[x:map[p:1] z:map[p:1 q:2]]",
    );
    // go-yaml v2 reads y, n, on, off as booleans, keys included
    expect(render("{{ fromYaml . }}", "y: 1\nn: 2")).toBe("map[false:2 true:1]");
    expect(render("{{ fromYaml . }}", "")).toBe("map[]");
  });

  it("merges with Sprig's merge as Helm's tests do", () => {
    const vars = { dict: { a: { b: "c" } }, yaml: '{"a":{"b":"d"}}' };
    expect(render("{{ merge .dict (fromYaml .yaml) }}", vars)).toBe("map[a:map[b:c]]");
    expect(
      render("{{ merge (fromYaml .yaml) .dict }}", { dict: { a: { b: "c" } }, yaml: '{"a":{"b":"d"}}' }),
    ).toBe("map[a:map[b:d]]");
  });
});

describe("JSON", () => {
  it("encodes as encoding/json does", () => {
    expect(render("{{ toJson . }}", { foo: "bar" })).toBe('{"foo":"bar"}');
    expect(render("{{ toJson . }}", { b: [1n, 1.5, 1e21, 1e-7], a: "<&>\u2028", c: null })).toBe(
      '{"a":"\\u003c\\u0026\\u003e\\u2028","b":[1,1.5,1e+21,1e-7],"c":null}',
    );
    expect(render("{{ toRawJson . }}", { a: "<&>" })).toBe('{"a":"<&>"}');
    expect(render("{{ toPrettyJson . }}", { a: [1n, {}], b: [] })).toBe(
      '{\n  "a": [\n    1,\n    {}\n  ],\n  "b": []\n}',
    );
    expect(render("{{ toJson . }}", 12345678901234567890n)).toBe("12345678901234567890");
    expect(render("{{ mustToDuration 90 | toJson }}")).toBe("90000000000");
  });

  it("swallows marshal errors in toJson and fails mustToJson", () => {
    const loop: Record<string, unknown> = { foo: "bar" };
    loop.loop = [loop];
    expect(render("{{ toJson . }}", loop)).toBe("");
    fails("{{ mustToJson . }}", loop).toThrow("json: unsupported value: encountered a cycle via");
  });

  it("decodes with Go's errors as values", () => {
    expect(render("{{ fromJson . }}", '{"hello":"world"}')).toBe("map[hello:world]");
    expect(render("{{ fromJson . }}", '["one", "two"]')).toBe(
      "map[Error:json: cannot unmarshal array into Go value of type map[string]interface {}]",
    );
    expect(render("{{ fromJsonArray . }}", '["one", 2, { "name": "helm" }]')).toBe("[one 2 map[name:helm]]");
    expect(render("{{ fromJsonArray . }}", '{"hello": "world"}')).toBe(
      "[json: cannot unmarshal object into Go value of type []interface {}]",
    );
    // encoding/json's scanner messages
    const error = (s: string) => render("{{ (fromJson .).Error }}", s);
    expect(error("{")).toBe("unexpected end of JSON input");
    expect(error("{a}")).toBe("invalid character 'a' looking for beginning of object key string");
    expect(error('{"a" 1}')).toBe("invalid character '1' after object key");
    expect(error('{"a":1 "b"}')).toBe("invalid character '\"' after object key:value pair");
    expect(error("[1 2]")).toBe("invalid character '2' after array element");
    expect(error("{} x")).toBe("invalid character 'x' after top-level value");
    expect(error("nul")).toBe("invalid character ' ' in literal null (expecting 'l')");
    expect(error("1.")).toBe("invalid character ' ' after decimal point in numeric literal");
    expect(error('"a\nb"')).toBe("invalid character '\\n' in string literal");
    expect(error("'a'")).toBe("invalid character '\\'' looking for beginning of value");
    expect(render("{{ mustFromJson . }}", "[1]")).toBe("[1]");
    fails("{{ mustFromJson . }}", "[").toThrow("error calling mustFromJson: unexpected end of JSON input");
  });
});

describe("durations", () => {
  const cases: [string, string, unknown?][] = [
    ["{{ mustToDuration 30 }}", "30s"],
    ['{{ mustToDuration "1m30s" }}', "1m30s"],
    ['{{ durationSeconds "1m30s" }}', "90"],
    ['{{ durationSeconds "2.5" }}', "2.5"],
    ['{{ durationSeconds "  2.5  " }}', "2.5"],
    ["{{ durationSeconds 2 }}", "2"],
    ["{{ durationSeconds 2.5 }}", "2.5"],
    ["{{ durationSeconds . }}", "1.5", new GoDuration(1_500_000_000n)],
    ['{{ durationSeconds "nope" }}', "0"],
    ['{{ durationSeconds "" }}', "0"],
    ['{{ durationSeconds "   " }}', "0"],
    ["{{ durationSeconds . }}", "0", null],
    ["{{ durationSeconds . }}", "0", 9223372037n],
    ["{{ durationSeconds . }}", "0", -9223372037n],
    ["{{ durationSeconds . }}", "0", 9223372036.854776 + 0.5],
    ["{{ durationSeconds . }}", "0", Number.NaN],
    ["{{ durationSeconds . }}", "0", Number.POSITIVE_INFINITY],
    ["{{ durationMilliseconds 2 }}", "2000"],
    ["{{ durationMilliseconds 1.5 }}", "1500"],
    ["{{ durationMicroseconds 2 }}", "2000000"],
    ["{{ durationNanoseconds 2 }}", "2000000000"],
    ['{{ durationMinutes "90s" }}', "1.5"],
    ['{{ durationHours "90m" }}', "1.5"],
    ['{{ durationDays "36h" }}', "1.5"],
    ["{{ durationDays 86400 }}", "1"],
    ['{{ durationWeeks "168h" }}', "1"],
    ['{{ durationWeeks "252h" }}', "1.5"],
    ["{{ durationRoundTo 93 60 }}", "2m0s"],
    ["{{ durationTruncateTo 93 60 }}", "1m0s"],
    ['{{ durationRoundTo "93s" "1m" }}', "2m0s"],
    ['{{ durationTruncateTo "93s" "1m" }}', "1m0s"],
    ['{{ durationRoundTo "93s" "nope" }}', "1m33s"],
    ['{{ durationTruncateTo "93s" "nope" }}', "1m33s"],
    ['{{ durationRoundTo "93s" 0 }}', "1m33s"],
    ['{{ durationTruncateTo "93s" -1 }}', "1m33s"],
    // Go's Duration.String for the small units and hours (time package documentation)
    [
      '{{ mustToDuration "1.5us" }} {{ mustToDuration "2h" }} {{ mustToDuration "-1.25ms" }}',
      "1.5µs 2h0m0s -1.25ms",
    ],
    ['{{ (mustToDuration "1h30m").Minutes }} {{ mustToDuration "90m" | typeOf }}', "90 time.Duration"],
  ];
  it.each(cases)("%s → %s", (tpl, want, dot) => {
    expect(render(tpl, dot ?? null)).toBe(want);
  });

  it("fails mustToDuration where Helm does", () => {
    for (const [tpl, dot] of [
      ['{{ mustToDuration "nope" }}', null],
      ['{{ mustToDuration "" }}', null],
      ['{{ mustToDuration "   " }}', null],
      ["{{ mustToDuration . }}", [1n, 2n, 3n]],
      ["{{ mustToDuration . }}", 9223372037n],
      ["{{ mustToDuration . }}", Number.NaN],
      ["{{ mustToDuration . }}", Number.NEGATIVE_INFINITY],
    ] as [string, unknown][])
      expect(() => render(tpl, dot)).toThrow("error calling mustToDuration");
    fails('{{ mustToDuration "foo" }}').toThrow('could not parse duration "foo"');
    fails("{{ mustToDuration . }}", [1n]).toThrow("unsupported duration type []interface {}");
  });
});

describe("lookup without a cluster", () => {
  it("finds nothing", () => {
    expect(render('{{ lookup "v1" "Namespace" "" "unlikelynamespace99999999" }}')).toBe("map[]");
  });
});

describe("certificates are real X.509", () => {
  it("makes a CA and signs a certificate openssl accepts", () => {
    const out = render(
      '{{ $ca := genCA "my-ca" 365 }}{{ $c := genSignedCert "svc" (list "10.0.0.1") (list "svc.example") 30 $ca }}{{ $ca.Cert }}|{{ $c.Cert }}|{{ $c.Key }}|{{ typeOf $c }}',
    );
    const [caCert, cert, key, type] = out.split("|") as [string, string, string, string];
    expect(caCert).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
    expect(key).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
    expect(type).toBe("sprig.certificate");
    let text: string;
    try {
      text = execSync("openssl x509 -noout -text", { input: cert }).toString();
    } catch {
      return; // no openssl here: the parse below still checks the DER
    }
    expect(text).toContain("Subject: CN = svc");
    expect(text).toContain("Issuer: CN = my-ca");
    expect(text).toContain("DNS:svc.example, IP Address:10.0.0.1");
    expect(text).toContain("TLS Web Server Authentication, TLS Web Client Authentication");
  });
});
