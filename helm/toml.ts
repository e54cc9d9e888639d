import { parse, TomlDate, TomlError } from "smol-toml";
import { compareStrings } from "./gojson";
import { GoTime } from "./sprig/dates";
import { GoDuration } from "./sprig/duration";
import { formatFloat } from "./template/format";
import { isMap, isNil, isStruct, typeName } from "./template/values";

/*
 * TOML as Helm's toToml/fromToml see it, through github.com/BurntSushi/toml v1.6.0. smol-toml parses; its
 * stringify lays tables out differently (no indentation, other quoting), so the encoder below writes
 * BurntSushi's layout: a table's plain keys first, then its sub-tables, each group sorted, sub-tables
 * indented two spaces a level, a blank line before each top-level table.
 */

type TomlKind = "hash" | "arrayHash" | "array" | "scalar" | "datetime";

const BARE_KEY = /^[A-Za-z0-9_-]+$/;

/** BurntSushi's dblQuotedReplacer: Go's short escapes for \b \t \n \f \r, \uXXXX for other controls. */
function quoted(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\b") out += "\\b";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\f") out += "\\f";
    else if (ch === "\r") out += "\\r";
    else if (c < 0x20 || c === 0x7f) out += `\\u${c.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

function keyPart(k: string): string {
  if (k === "") return '""';
  return BARE_KEY.test(k) ? k : quoted(k);
}

const keyString = (key: string[]) => key.map(keyPart).join(".");

class EncodeError extends Error {}

/** A struct's exported fields, in declaration order. */
function fields(v: object): [string, unknown][] {
  return Object.entries(v).filter(([k, x]) => /^\p{Lu}/u.test(k) && typeof x !== "function");
}

/** Values written as TOML strings or datetimes rather than tables (Go's encoding.TextMarshaler and time.Time). */
function isTextLike(v: object): boolean {
  return typeof (v as { String?: unknown }).String === "function" && !(v instanceof GoDuration);
}

function kindOf(v: unknown): TomlKind | undefined {
  if (isNil(v)) return undefined;
  if (v instanceof GoTime) return "datetime";
  if (Array.isArray(v)) return isTableArray(v) ? "arrayHash" : "array";
  if (v instanceof Uint8Array) return "array";
  if (isMap(v)) return "hash";
  if (typeof v === "function") throw new EncodeError("toml: unsupported type: func");
  if (isStruct(v)) return isTextLike(v) || v instanceof GoDuration ? "scalar" : "hash";
  return "scalar";
}

function isTableArray(arr: unknown[]): boolean {
  if (arr.length === 0) return false;
  let all = true;
  for (const e of arr) {
    const k = kindOf(e);
    if (k === undefined) throw new EncodeError("toml: cannot encode array with nil element");
    if (k !== "hash") all = false;
  }
  return all;
}

const isTable = (k: TomlKind | undefined) => k === "hash" || k === "arrayHash";

/** time.Time's RFC3339Nano, as BurntSushi writes a datetime. */
function rfc3339(t: GoTime): string {
  return t.Format("2006-01-02T15:04:05.999999999Z07:00");
}

/** Go's `toml.NewEncoder(w).Encode(v)`: the TOML text, or throws BurntSushi's error. */
export function encodeToml(v: unknown): string {
  const indent = "  ";
  let out = "";
  const newline = () => {
    if (out !== "") out += "\n";
  };
  const indentOf = (key: string[]) => indent.repeat(Math.max(0, key.length - 1));

  const element = (x: unknown): void => {
    if (x instanceof GoTime) {
      out += rfc3339(x);
      return;
    }
    if (x instanceof GoDuration) {
      out += quoted(x.String());
      return;
    }
    if (typeof x === "string") out += quoted(x);
    else if (typeof x === "boolean" || typeof x === "bigint") out += String(x);
    else if (typeof x === "number") {
      if (Number.isNaN(x)) out += "nan";
      else if (!Number.isFinite(x)) out += x < 0 ? "-inf" : "inf";
      else {
        const s = formatFloat(x, "g");
        out += /[e.]/.test(s) ? s : `${s}.0`;
      }
    } else if (Array.isArray(x) || x instanceof Uint8Array) {
      const items: unknown[] = x instanceof Uint8Array ? [...x].map((b) => BigInt(b)) : x;
      out += "[";
      items.forEach((e, i) => {
        if (isNil(e)) throw new Error("reflect: call of reflect.Value.Interface on zero Value");
        element(e);
        if (i !== items.length - 1) out += ", ";
      });
      out += "]";
    } else if (isMap(x)) table([], x, true);
    else if (isStruct(x)) {
      if (isTextLike(x)) out += quoted(String((x as { String: () => unknown }).String()));
      else table([], x, true);
    } else throw new EncodeError(`toml: unexpected type: ${typeName(x)}`);
  };

  const keyValue = (key: string[], x: unknown, inline: boolean): void => {
    if (key.length === 0) {
      element(x);
      return;
    }
    out += `${indentOf(key)}${keyPart(key[key.length - 1] as string)} = `;
    element(x);
    if (!inline) newline();
  };

  const encode = (key: string[], x: unknown): void => {
    if (isNil(x)) return;
    const kind = kindOf(x);
    if (kind === "arrayHash") {
      if (key.length === 0) throw new EncodeError("toml: top-level values must be Go maps or structs");
      for (const e of x as unknown[]) {
        newline();
        out += `${indentOf(key)}[[${keyString(key)}]]`;
        newline();
        table(key, e as object, false);
      }
    } else if (kind === "hash") {
      if (key.length === 1) newline();
      if (key.length > 0) {
        out += `${indentOf(key)}[${keyString(key)}]`;
        newline();
      }
      table(key, x as object, false);
    } else keyValue(key, x, false);
  };

  const table = (key: string[], x: object, inline: boolean): void => {
    let entries: [string, unknown][];
    const sorted = isMap(x);
    if (sorted) entries = Object.keys(x).map((k) => [k, (x as Record<string, unknown>)[k]]);
    else entries = fields(x);
    const direct: [string, unknown][] = [];
    const sub: [string, unknown][] = [];
    for (const e of entries) (isTable(kindOf(e[1])) ? sub : direct).push(e);
    const write = (group: [string, unknown][], trailComma: boolean) => {
      if (sorted) group.sort(([a], [b]) => compareStrings(a, b));
      group.forEach(([k, val], i) => {
        if (isNil(val)) return;
        if (inline) {
          keyValue([k], val, true);
          if (trailComma || i !== group.length - 1) out += ", ";
        } else encode([...key, k], val);
      });
    };
    if (inline) out += "{";
    write(direct, sub.length > 0);
    write(sub, false);
    if (inline) out += "}";
  };

  try {
    encode([], v);
  } catch (e) {
    if (e instanceof RangeError) throw new Error("toml: cannot encode a value that contains itself");
    throw e;
  }
  return out;
}

/** A TOML value as BurntSushi decodes it into `interface{}`: int64, float64, time.Time, []interface{}, maps. */
function fromSmol(v: unknown): unknown {
  if (v instanceof TomlDate) {
    const zone = v.isLocal()
      ? v.isDate()
        ? "date-local"
        : v.isTime()
          ? "time-local"
          : "datetime-local"
      : "UTC";
    return new GoTime(new Date(v.getTime()), zone);
  }
  if (Array.isArray(v)) return v.map(fromSmol);
  if (v !== null && typeof v === "object")
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fromSmol(x)]));
  return v;
}

/** Go's %q of a rune. */
function quoteRune(ch: string): string {
  const special: Record<string, string> = { "\n": "\\n", "\t": "\\t", "\r": "\\r", "'": "\\'", "\\": "\\\\" };
  return `'${special[ch] ?? ch}'`;
}

/** The table a line sits in: the last `[a.b]` or `[[a.b]]` header above it (BurntSushi's "last key"). */
function contextAt(text: string, line: number): string {
  let context = "";
  for (const l of text.split("\n").slice(0, line - 1)) {
    const m = /^\s*\[\[?\s*([^\]]+?)\s*\]\]?/.exec(l);
    if (m) context = m[1] as string;
  }
  return context;
}

/** BurntSushi's words for the mistakes it shares with smol-toml; smol-toml's own words for the rest. */
function tomlError(text: string, e: TomlError): string {
  const first = (e.message.split("\n")[0] ?? "").replace(/^Invalid TOML document: /, "");
  const lastKey = contextAt(text, e.line);
  const prefix = `toml: line ${e.line}${lastKey ? ` (last key ${JSON.stringify(lastKey)})` : ""}: `;
  if (first.startsWith("incomplete key-value: cannot find end of key")) {
    const rest = (text.split("\n")[e.line - 1] ?? "").slice(e.column - 1);
    const afterKey = rest.replace(
      /^(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')(?:[ \t]*\.[ \t]*(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*'))*[ \t]*/,
      "",
    );
    const atEnd = e.line === text.split("\n").length && afterKey === "";
    if (atEnd) return `${prefix}unexpected EOF; expected key separator '='`;
    return `${prefix}expected '.' or '=', but got ${quoteRune(afterKey === "" ? "\n" : (afterKey[0] as string))} instead`;
  }
  return prefix + first;
}

/** Helm's fromToml: the document as a map, or a map holding the parse error under "Error". */
export function fromToml(text: string): Record<string, unknown> {
  try {
    return fromSmol(parse(text, { integersAsBigInt: true })) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof TomlError) return { Error: tomlError(text, e) };
    return { Error: (e as Error).message };
  }
}
