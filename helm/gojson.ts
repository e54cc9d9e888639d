import { GoDuration } from "./sprig/duration";
import { goQuote } from "./template/format";
import { isMap, isNil, isStruct, typeName } from "./template/values";

/** How Go's encoding/json writes a value: `json.Marshal`, `MarshalIndent` or an Encoder. */
export interface MarshalOptions {
  /** `<`, `>` and `&` as `\u003c`…, as json.Marshal does (an Encoder may turn it off). */
  escapeHTML?: boolean;
  /** MarshalIndent's indent; no prefix. */
  indent?: string;
}

/** A value that writes its own JSON, as a Go type implementing json.Marshaler. */
export interface JsonMarshaler {
  marshalJSON(): string;
}

function hasMarshaler(v: object): v is JsonMarshaler {
  return typeof (v as Partial<JsonMarshaler>).marshalJSON === "function";
}

/** A Go string literal in JSON: Go's escapes, HTML-safe when asked, U+2028/9 escaped, lone surrogates as U+FFFD. */
export function jsonString(s: string, escapeHTML = true): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c !== 0x22 && c !== 0x5c && c < 0x7f) {
      if (escapeHTML && (c === 0x3c || c === 0x3e || c === 0x26)) out += `\\u00${c.toString(16)}`;
      else out += s[i];
      continue;
    }
    switch (c) {
      case 0x22:
        out += '\\"';
        continue;
      case 0x5c:
        out += "\\\\";
        continue;
      case 0x08:
        out += "\\b";
        continue;
      case 0x0c:
        out += "\\f";
        continue;
      case 0x0a:
        out += "\\n";
        continue;
      case 0x0d:
        out += "\\r";
        continue;
      case 0x09:
        out += "\\t";
        continue;
    }
    if (c < 0x20) out += `\\u00${c.toString(16).padStart(2, "0")}`;
    else if (c === 0x2028 || c === 0x2029) out += `\\u${c.toString(16)}`;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        out += s.slice(i, i + 2);
        i++;
      } else out += "\\ufffd";
    } else if (c >= 0xd800 && c <= 0xdfff) out += "\\ufffd";
    else out += s[i];
  }
  return `${out}"`;
}

/** A float64 as encoding/json writes it: shortest digits, exponent form below 1e-6 and from 1e21. */
function jsonFloat(f: number): string {
  if (!Number.isFinite(f))
    throw new Error(`json: unsupported value: ${Number.isNaN(f) ? "NaN" : f > 0 ? "+Inf" : "-Inf"}`);
  if (Object.is(f, -0)) return "-0";
  // JavaScript's Number::toString makes the same choice of form and digits, with e-7 rather than e-07
  return String(f);
}

/** The fields of a struct as encoding/json sees them: exported (capitalised), not methods. */
function structFields(v: object): [string, unknown][] {
  return Object.entries(v).filter(([k, x]) => /^\p{Lu}/u.test(k) && typeof x !== "function");
}

/**
 * Go's `json.Marshal` (and `MarshalIndent`) over template values: map keys sorted, `[]byte` as base64, Go's
 * string escapes and float format. Throws with Go's error text (`json: unsupported value: NaN`,
 * `json: unsupported value: encountered a cycle via map[string]interface {}`).
 */
export function marshalJson(v: unknown, options: MarshalOptions = {}): string {
  const escapeHTML = options.escapeHTML ?? true;
  const indent = options.indent;
  const seen = new Set<object>();
  const encode = (x: unknown, depth: number): string => {
    if (isNil(x)) return "null";
    switch (typeof x) {
      case "boolean":
        return String(x);
      case "bigint":
        return x.toString();
      case "number":
        return jsonFloat(x);
      case "string":
        return jsonString(x, escapeHTML);
      case "function":
        throw new Error(`json: unsupported type: ${typeName(x)}`);
    }
    const obj = x as object;
    if (obj instanceof Uint8Array) return `"${Buffer.from(obj).toString("base64")}"`;
    if (obj instanceof GoDuration) return obj.ns.toString();
    if (hasMarshaler(obj)) return obj.marshalJSON();
    if (seen.has(obj)) throw new Error(`json: unsupported value: encountered a cycle via ${typeName(obj)}`);
    seen.add(obj);
    try {
      const nl = indent === undefined ? "" : `\n${indent.repeat(depth + 1)}`;
      const end = indent === undefined ? "" : `\n${indent.repeat(depth)}`;
      const colon = indent === undefined ? ":" : ": ";
      if (Array.isArray(obj)) {
        if (obj.length === 0) return "[]";
        return `[${obj.map((e) => nl + encode(e, depth + 1)).join(",")}${end}]`;
      }
      const entries = isMap(obj)
        ? Object.keys(obj)
            .sort(compareStrings)
            .map((k) => [k, obj[k]] as [string, unknown])
        : isStruct(obj)
          ? structFields(obj)
          : [];
      if (entries.length === 0) return "{}";
      return `{${entries.map(([k, e]) => `${nl}${jsonString(k, escapeHTML)}${colon}${encode(e, depth + 1)}`).join(",")}${end}}`;
    } finally {
      seen.delete(obj);
    }
  };
  return encode(v, 0);
}

/** Go's string order: by UTF-8 bytes (UTF-16 order differs only for astral characters). */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** encoding/json's quoteChar: the offending byte in a SyntaxError. */
function quoteChar(c: number): string {
  if (c === 0x27) return "'\\''";
  if (c === 0x22) return "'\"'";
  let q: string;
  if (c >= 0x80 && c < 0xa0) q = `\\u00${c.toString(16)}`;
  else if (c === 0xad) q = "\\u00ad";
  else q = goQuote(String.fromCharCode(c)).slice(1, -1);
  return `'${q}'`;
}

/**
 * encoding/json's syntax check, with its error texts (`invalid character 'x' looking for beginning of
 * value`, `unexpected end of JSON input`). Returns undefined when `text` is one valid JSON value.
 */
export function jsonSyntaxError(text: string): string | undefined {
  const b = Buffer.from(text);
  let i = 0;
  // at the end of the input Go's scanner is fed a space, so a token cut short blames ' '
  const err = (context: string) => `invalid character ${quoteChar(b[i] ?? 0x20)} ${context}`;
  const eof = "unexpected end of JSON input";
  const space = () => {
    while (i < b.length && (b[i] === 0x20 || b[i] === 0x09 || b[i] === 0x0a || b[i] === 0x0d)) i++;
  };
  const isDigit = (c: number | undefined) => c !== undefined && c >= 0x30 && c <= 0x39;
  const isHex = (c: number | undefined) =>
    c !== undefined && (isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46));
  type Frame = "key" | "value" | "array";
  const stack: Frame[] = [];
  // the scanner's states, as a loop over a value, then what may follow it
  const literal = (word: string): string | undefined => {
    for (let k = 1; k < word.length; k++) {
      i++;
      if (b[i] !== word.charCodeAt(k))
        return err(`in literal ${word} (expecting ${quoteChar(word.charCodeAt(k))})`);
    }
    i++;
    return undefined;
  };
  const number = (): string | undefined => {
    if (b[i] === 0x2d) {
      i++;
      if (!isDigit(b[i])) return err("in numeric literal");
    }
    if (b[i] === 0x30) i++;
    else while (isDigit(b[i])) i++;
    if (b[i] === 0x2e) {
      i++;
      if (!isDigit(b[i])) return err("after decimal point in numeric literal");
      while (isDigit(b[i])) i++;
    }
    if (b[i] === 0x65 || b[i] === 0x45) {
      i++;
      if (b[i] === 0x2b || b[i] === 0x2d) i++;
      if (!isDigit(b[i])) return err("in exponent of numeric literal");
      while (isDigit(b[i])) i++;
    }
    return undefined;
  };
  const string = (): string | undefined => {
    i++;
    for (;;) {
      if (i >= b.length) return eof;
      const c = b[i] as number;
      if (c === 0x22) {
        i++;
        return undefined;
      }
      if (c === 0x5c) {
        i++;
        const e = b[i] ?? 0x20;
        if (e === 0x75) {
          for (let k = 0; k < 4; k++) {
            i++;
            if (!isHex(b[i])) return err("in \\u hexadecimal character escape");
          }
        } else if (!'bfnrt\\/"'.includes(String.fromCharCode(e))) return err("in string escape code");
        i++;
        continue;
      }
      if (c < 0x20) return err("in string literal");
      i++;
    }
  };
  for (;;) {
    // a value begins
    space();
    if (i >= b.length) return eof;
    const c = b[i] as number;
    let problem: string | undefined;
    if (c === 0x7b) {
      i++;
      if (stack.length >= 10000) return err("exceeded max depth");
      space();
      if (i >= b.length) return eof;
      if (b[i] === 0x7d) {
        i++;
      } else {
        if (b[i] !== 0x22) return err("looking for beginning of object key string");
        problem = string();
        if (problem) return problem;
        stack.push("key");
        space();
        if (i >= b.length) return eof;
        if (b[i] !== 0x3a) return err("after object key");
        i++;
        stack[stack.length - 1] = "value";
        continue;
      }
    } else if (c === 0x5b) {
      i++;
      if (stack.length >= 10000) return err("exceeded max depth");
      space();
      if (i >= b.length) return eof;
      if (b[i] === 0x5d) i++;
      else {
        stack.push("array");
        continue;
      }
    } else if (c === 0x22) problem = string();
    else if (c === 0x2d || isDigit(c)) problem = number();
    else if (c === 0x74) problem = literal("true");
    else if (c === 0x66) problem = literal("false");
    else if (c === 0x6e) problem = literal("null");
    else return err("looking for beginning of value");
    if (problem) return problem;
    // a value ended: close what it completes
    for (;;) {
      space();
      const top = stack.at(-1);
      if (top === undefined) {
        if (i < b.length) return err("after top-level value");
        return undefined;
      }
      if (i >= b.length) return eof;
      const d = b[i] as number;
      if (top === "value") {
        if (d === 0x2c) {
          i++;
          space();
          if (i >= b.length) return eof;
          if (b[i] !== 0x22) return err("looking for beginning of object key string");
          problem = string();
          if (problem) return problem;
          space();
          if (i >= b.length) return eof;
          if (b[i] !== 0x3a) return err("after object key");
          i++;
          break;
        }
        if (d === 0x7d) {
          i++;
          stack.pop();
          continue;
        }
        return err("after object key:value pair");
      }
      if (d === 0x2c) {
        i++;
        break;
      }
      if (d === 0x5d) {
        i++;
        stack.pop();
        continue;
      }
      return err("after array element");
    }
  }
}

/** The word encoding/json uses for a JSON value's kind in an UnmarshalTypeError. */
function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return "array";
  if (typeof v === "string") return "string";
  if (typeof v === "number") return "number";
  if (typeof v === "boolean") return "bool";
  return "object";
}

/**
 * `json.Unmarshal(text, &target)` where target is `map[string]interface{}` (`"map"`), `[]interface{}`
 * (`"slice"`) or `interface{}` (`"any"`): numbers become float64, and a mismatch or a syntax error throws
 * Go's message. JSON null leaves the target's zero value (`undefined` here).
 */
export function unmarshalJson(text: string, target: "map" | "slice" | "any"): unknown {
  const syntax = jsonSyntaxError(text);
  if (syntax) throw new Error(syntax);
  const v: unknown = JSON.parse(text);
  return checkTarget(v, target);
}

/** The type check of json.Unmarshal into the target, on a value already decoded. */
export function checkTarget(v: unknown, target: "map" | "slice" | "any"): unknown {
  if (v === null) return undefined;
  if (target === "map" && !isMap(v))
    throw new Error(`json: cannot unmarshal ${jsonKind(v)} into Go value of type map[string]interface {}`);
  if (target === "slice" && !Array.isArray(v))
    throw new Error(`json: cannot unmarshal ${jsonKind(v)} into Go value of type []interface {}`);
  return v;
}
