import { parseAllDocuments, type ScalarTag, stringify, type YAMLError } from "yaml";
import { checkTarget, marshalJson } from "./gojson";
import { GoTime } from "./sprig/dates";
import { GoDuration } from "./sprig/duration";
import { formatFloat } from "./template/format";
import { isMap, isNil, isStruct } from "./template/values";

/** sigs.k8s.io/yaml's output, as Helm's toYaml gives it: keys sorted, sequences not indented under their key, no final newline. */
export function toYaml(v: unknown): string {
  if (v === null || v === undefined) return "null";
  return stringify(v, (_k, x) => (typeof x === "bigint" ? Number(x) : x), {
    sortMapEntries: true,
    indentSeq: false,
    lineWidth: 0,
  }).replace(/\n$/, "");
}

/** go-yaml's words for the parse errors charts commonly make, with its line numbers. */
export function goYamlError(e: YAMLError): string {
  const line = e.linePos?.[0].line ?? 1;
  const first = e.message.split("\n")[0]?.replace(/ at line \d+, column \d+:?$/, "") ?? e.message;
  switch (e.code) {
    case "MISSING_CHAR":
      if (first.startsWith("Implicit map keys")) return `yaml: line ${line + 1}: could not find expected ':'`;
      break;
    case "BLOCK_AS_IMPLICIT_KEY":
      return `yaml: line ${line}: mapping values are not allowed in this context`;
    case "TAB_AS_INDENT":
      return `yaml: line ${line}: found character that cannot start any token`;
  }
  return `yaml: line ${line}: ${first.charAt(0).toLowerCase()}${first.slice(1)}`;
}

/**
 * A value as it comes back from a trip through Go's encoding/json, as sigs.k8s.io/yaml makes it: structs
 * become their JSON (time.Time a string, time.Duration its nanoseconds), `[]byte` base64. Numbers keep their
 * kind: JSON's digits decode as YAML ints or floats just as they were.
 */
function jsonable(v: unknown): unknown {
  if (isNil(v)) return null;
  if (Array.isArray(v)) return v.map(jsonable);
  if (v instanceof Uint8Array) return Buffer.from(v).toString("base64");
  if (v instanceof GoDuration) return v.ns;
  if (isMap(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, jsonable(x)]));
  if (isStruct(v)) {
    const own = (v as { marshalJSON?: () => string }).marshalJSON;
    if (typeof own === "function") return JSON.parse(own.call(v));
    return Object.fromEntries(
      Object.entries(v)
        .filter(([k, x]) => /^\p{Lu}/u.test(k) && typeof x !== "function")
        .map(([k, x]) => [k, jsonable(x)]),
    );
  }
  return v;
}

/** Helm's mustToYaml: sigs.k8s.io/yaml's Marshal, failing with its error (`error marshaling into JSON: …`). */
export function mustToYaml(v: unknown): string {
  try {
    marshalJson(v);
  } catch (e) {
    throw new Error(`error marshaling into JSON: ${(e as Error).message}`);
  }
  return toYaml(jsonable(v));
}

/** Helm's toYaml: as mustToYaml, but an error gives "". */
export function helmToYaml(v: unknown): string {
  try {
    return mustToYaml(v);
  } catch {
    return "";
  }
}

/** go-yaml v3 writes a float64 with strconv's shortest %g: 1e+06, 3, 0.5, .inf. */
const goFloatTag: ScalarTag = {
  identify: (v) => typeof v === "number",
  default: true,
  tag: "tag:yaml.org,2002:float",
  test: /^$/,
  resolve: (s) => Number(s),
  stringify: ({ value }) => {
    const f = value as number;
    if (Number.isNaN(f)) return ".nan";
    if (!Number.isFinite(f)) return f > 0 ? ".inf" : "-.inf";
    return formatFloat(f, "g");
  },
};

/** Go values as go-yaml v3 sees them: time.Time a timestamp string, time.Duration its String(). */
function yamlV3Value(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(yamlV3Value);
  if (v instanceof GoDuration) return v.String();
  if (v instanceof GoTime) return v.Format("2006-01-02T15:04:05.999999999Z07:00");
  if (isMap(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, yamlV3Value(x)]));
  if (isStruct(v) && !(v instanceof Uint8Array)) {
    const s = (v as { String?: () => unknown }).String;
    if (typeof s === "function") return String(s.call(v));
    // go-yaml lowercases field names
    return Object.fromEntries(
      Object.entries(v)
        .filter(([k, x]) => /^\p{Lu}/u.test(k) && typeof x !== "function")
        .map(([k, x]) => [k.toLowerCase(), yamlV3Value(x)]),
    );
  }
  return v;
}

/** Helm's toYamlPretty: go-yaml v3's encoder with an indent of 2 (sequences indented under their key). */
export function toYamlPretty(v: unknown): string {
  try {
    if (v === null || v === undefined) return "null";
    return stringify(yamlV3Value(v), {
      customTags: (tags) => [goFloatTag, ...tags],
      sortMapEntries: true,
      indent: 2,
      indentSeq: true,
      lineWidth: 0,
    }).replace(/\n$/, "");
  } catch {
    return "";
  }
}

/** A value decoded by go-yaml v2 into interface{}, then sent through JSON: keys strings, numbers float64. */
function fromYamlValue(v: unknown): unknown {
  if (typeof v === "bigint") return Number(v);
  if (v instanceof Uint8Array) return Buffer.from(v).toString();
  if (Array.isArray(v)) return v.map(fromYamlValue);
  if (v !== null && typeof v === "object") {
    const entries = v instanceof Map ? [...v.entries()] : Object.entries(v);
    return Object.fromEntries(entries.map(([k, x]) => [isNil(k) ? "" : String(k), fromYamlValue(x)]));
  }
  return v;
}

/**
 * sigs.k8s.io/yaml's Unmarshal into a map (`"map"`) or a slice (`"slice"`): YAML 1.1 as go-yaml v2 reads it
 * (yes/no/on/off booleans, merge keys, timestamps kept as strings), converted to JSON, then decoded. Throws
 * Go's message: `error converting YAML to JSON: yaml: …` or `error unmarshaling JSON: while decoding JSON: …`.
 */
export function unmarshalYaml(text: string, target: "map" | "slice"): unknown {
  const docs = parseAllDocuments(text, {
    version: "1.1",
    merge: true,
    uniqueKeys: false,
    intAsBigInt: true,
    customTags: (tags) =>
      tags.filter((t) => {
        const tag = t as { tag?: string; format?: string };
        return t !== "timestamp" && tag.tag !== "tag:yaml.org,2002:timestamp" && tag.format !== "TIME";
      }),
  });
  const doc = Array.isArray(docs) ? docs[0] : docs;
  if (!doc) return undefined;
  const error = doc.errors[0];
  if (error) throw new Error(`error converting YAML to JSON: ${goYamlError(error)}`);
  const raw = doc.toJS({ maxAliasCount: -1 });
  const value = fromYamlValue(raw);
  try {
    marshalJson(value);
  } catch (e) {
    throw new Error(`error converting YAML to JSON: ${(e as Error).message}`);
  }
  try {
    return checkTarget(value, target);
  } catch (e) {
    throw new Error(`error unmarshaling JSON: while decoding JSON: ${(e as Error).message}`);
  }
}
