import { isMap, isNil, isStruct, typeName } from "./values";

/** Go's strconv.FormatFloat: shortest 'g' switches to exponent form below 1e-4 or from 1e6 when shortest. */
export function formatFloat(f: number, verb: "g" | "e" | "f" = "g", prec = -1): string {
  if (Number.isNaN(f)) return "NaN";
  if (!Number.isFinite(f)) return f > 0 ? "+Inf" : "-Inf";
  if (verb === "f") return prec < 0 ? shortestFixed(f) : toFixedExact(f, prec);
  if (verb === "e") return goExp(prec < 0 ? f.toExponential() : f.toExponential(prec));
  if (f === 0) return Object.is(f, -0) ? "-0" : "0";
  const shortest = f.toExponential(); // shortest round-trip digits
  const [mant, expStr] = shortest.split("e") as [string, string];
  const exp = Number(expStr);
  const digits = mant.replace("-", "").replace(".", "").length;
  const eprec = prec < 0 ? 6 : Math.max(prec, digits);
  if (exp < -4 || exp >= eprec) return goExp(shortest);
  return shortestFixed(f);
}

/** The exact decimal expansion of a double as [digits, number of fraction digits]. */
function exactDecimal(f: number): [bigint, number] {
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, Math.abs(f));
  const bits = buf.getBigUint64(0);
  const expBits = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  let exp = expBits - 1075;
  if (expBits === 0) exp = -1074;
  else mant |= 1n << 52n;
  if (exp >= 0) return [mant << BigInt(exp), 0];
  return [mant * 5n ** BigInt(-exp), -exp];
}

/** %.Nf with Go's rounding: the exact binary value, ties to even. */
function toFixedExact(f: number, prec: number): string {
  const [digits, frac] = exactDecimal(f);
  let scaled: bigint;
  if (frac <= prec) scaled = digits * 10n ** BigInt(prec - frac);
  else {
    const div = 10n ** BigInt(frac - prec);
    scaled = digits / div;
    const rem = digits % div;
    if (rem * 2n > div || (rem * 2n === div && scaled % 2n === 1n)) scaled++;
  }
  let s = scaled.toString().padStart(prec + 1, "0");
  if (prec > 0) s = `${s.slice(0, -prec)}.${s.slice(-prec)}`;
  return (f < 0 || Object.is(f, -0) ? "-" : "") + s;
}

function shortestFixed(f: number): string {
  const s = String(f);
  if (!s.includes("e")) return s;
  return f.toLocaleString("en-US", { useGrouping: false, maximumFractionDigits: 100 });
}

function goExp(s: string): string {
  return s.replace(/e([+-])(\d)$/, "e$10$2");
}

/** Formats a value as Go's %v does. */
export function formatValue(v: unknown, plusV = false): string {
  if (isNil(v)) return "<nil>";
  switch (typeof v) {
    case "string":
      return v;
    case "boolean":
      return String(v);
    case "bigint":
      return v.toString();
    case "number":
      return goFloatV(v);
    case "function":
      return "0x0";
    default:
      if (Array.isArray(v)) return `[${v.map((x) => formatValue(x, plusV)).join(" ")}]`;
      if (v instanceof Uint8Array) return `[${Array.from(v).join(" ")}]`;
      if (isMap(v))
        return `map[${Object.keys(v)
          .sort()
          .map((k) => `${k}:${formatValue(v[k], plusV)}`)
          .join(" ")}]`;
      if (isStruct(v)) {
        if (typeof (v as { toString?: unknown }).toString === "function" && "goString" in v)
          return String((v as { goString: () => string }).goString());
        return `{${Object.entries(v)
          .filter(([, x]) => typeof x !== "function")
          .map(([k, x]) => (plusV ? `${k}:${formatValue(x, plusV)}` : formatValue(x, plusV)))
          .join(" ")}}`;
      }
      return String(v);
  }
}

/** %v of a float64 is %g with the shortest representation. */
function goFloatV(f: number): string {
  return formatFloat(f, "g");
}

interface Spec {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width: number | undefined;
  prec: number | undefined;
}

/** Go's fmt.Sprintf for the verbs templates use. */
export function sprintf(format: string, args: unknown[]): string {
  let out = "";
  let argi = 0;
  let i = 0;
  while (i < format.length) {
    const pct = format.indexOf("%", i);
    if (pct < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    i = pct + 1;
    const spec: Spec = {
      minus: false,
      plus: false,
      sharp: false,
      space: false,
      zero: false,
      width: undefined,
      prec: undefined,
    };
    for (; i < format.length; i++) {
      const c = format[i];
      if (c === "-") spec.minus = true;
      else if (c === "+") spec.plus = true;
      else if (c === "#") spec.sharp = true;
      else if (c === " ") spec.space = true;
      else if (c === "0") spec.zero = true;
      else break;
    }
    const num = (): number | undefined => {
      if (format[i] === "*") {
        i++;
        const a = args[argi++];
        return typeof a === "bigint" ? Number(a) : undefined;
      }
      const m = /^\d+/.exec(format.slice(i));
      if (!m) return undefined;
      i += m[0].length;
      return Number(m[0]);
    };
    spec.width = num();
    if (format[i] === ".") {
      i++;
      spec.prec = num() ?? 0;
    }
    const verb = format[i++];
    if (verb === undefined) {
      out += "%!(NOVERB)";
      break;
    }
    if (verb === "%") {
      out += "%";
      continue;
    }
    if (argi >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    out += formatOne(verb, args[argi++], spec);
  }
  if (argi < args.length)
    out += `%!(EXTRA ${args
      .slice(argi)
      .map((a) => `${typeName(a)}=${formatValue(a)}`)
      .join(", ")})`;
  return out;
}

function pad(s: string, spec: Spec, numeric: boolean): string {
  if (spec.width === undefined || s.length >= spec.width) return s;
  if (spec.minus) return s + " ".repeat(spec.width - s.length);
  if (spec.zero && numeric) {
    const sign = /^[+-]/.test(s) ? (s[0] as string) : "";
    const body = s.slice(sign.length);
    return sign + "0".repeat(spec.width - s.length) + body;
  }
  return " ".repeat(spec.width - s.length) + s;
}

function bad(verb: string, v: unknown): string {
  return isNil(v) ? `%!${verb}(<nil>)` : `%!${verb}(${typeName(v)}=${formatValue(v)})`;
}

function signed(s: string, spec: Spec, negative: boolean): string {
  if (negative) return s;
  if (spec.plus) return `+${s}`;
  if (spec.space) return ` ${s}`;
  return s;
}

/** Go's strconv.Quote. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (c === 7) out += "\\a";
    else if (c === 8) out += "\\b";
    else if (c === 12) out += "\\f";
    else if (c === 11) out += "\\v";
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

function formatOne(verb: string, v: unknown, spec: Spec): string {
  if (Array.isArray(v) && verb !== "v" && verb !== "T")
    return pad(`[${v.map((x) => formatOne(verb, x, { ...spec, width: undefined })).join(" ")}]`, spec, false);
  switch (verb) {
    case "v":
      if (typeof v === "number" || typeof v === "bigint")
        return formatOne(typeof v === "number" ? "g" : "d", v, spec);
      if (spec.sharp && typeof v === "string") return pad(goQuote(v), spec, false);
      return pad(formatValue(v, spec.plus), spec, false);
    case "T":
      return pad(typeName(v) === "<nil>" ? "<nil>" : typeName(v), spec, false);
    case "s":
    case "q": {
      // a []byte prints as its text
      if (v instanceof Uint8Array) return formatOne(verb, new TextDecoder().decode(v), spec);
      if (typeof v !== "string") {
        if (verb === "q" && typeof v === "bigint")
          return pad(`'${String.fromCodePoint(Number(v))}'`, spec, false);
        if (isMap(v) || isStruct(v)) return pad(formatValue(v), spec, false);
        return bad(verb, v);
      }
      let s = spec.prec !== undefined ? [...v].slice(0, spec.prec).join("") : v;
      if (verb === "q") s = spec.sharp && !s.includes("`") ? `\`${s}\`` : goQuote(s);
      return pad(s, spec, false);
    }
    case "d":
    case "b":
    case "o":
    case "x":
    case "X":
    case "c": {
      if (typeof v === "string" && (verb === "x" || verb === "X")) {
        let hex = Buffer.from(v, "utf8").toString("hex");
        if (verb === "X") hex = hex.toUpperCase();
        return pad(hex, spec, false);
      }
      if (typeof v === "number" && (verb === "x" || verb === "X" || verb === "b")) return bad(verb, v);
      if (typeof v !== "bigint") return bad(verb, v);
      if (verb === "c") return pad(String.fromCodePoint(Number(v)), spec, false);
      const neg = v < 0n;
      const abs = neg ? -v : v;
      const radix = verb === "d" ? 10 : verb === "b" ? 2 : verb === "o" ? 8 : 16;
      let s = abs.toString(radix);
      if (verb === "X") s = s.toUpperCase();
      if (spec.prec !== undefined) s = s.padStart(spec.prec, "0");
      if (spec.sharp && verb === "x") s = `0x${s}`;
      if (spec.sharp && verb === "X") s = `0X${s}`;
      if (spec.sharp && verb === "o") s = `0${s}`;
      return pad(
        signed(neg ? `-${s}` : s, spec, neg),
        { ...spec, zero: spec.zero && spec.prec === undefined },
        true,
      );
    }
    case "f":
    case "F":
    case "e":
    case "E":
    case "g":
    case "G": {
      let f: number;
      if (typeof v === "number") f = v;
      else if (typeof v === "bigint" && verb !== "g") return bad(verb, v);
      else if (typeof v === "bigint") return bad(verb, v);
      else return bad(verb, v);
      const lower = verb.toLowerCase() as "f" | "e" | "g";
      let s: string;
      if (lower === "f") s = formatFloat(f, "f", spec.prec ?? 6);
      else if (lower === "e") s = formatFloat(f, "e", spec.prec ?? 6);
      else s = spec.prec === undefined ? goFloatV(f) : gPrec(f, spec.prec);
      if (verb === "E" || verb === "G") s = s.toUpperCase();
      return pad(signed(s, spec, s.startsWith("-")), spec, true);
    }
    case "t":
      return typeof v === "boolean" ? pad(String(v), spec, false) : bad(verb, v);
    default:
      return bad(verb, v);
  }
}

function gPrec(f: number, prec: number): string {
  const p = prec === 0 ? 1 : prec;
  const e = f.toExponential(p - 1);
  const exp = Number(e.split("e")[1]);
  if (exp < -4 || exp >= p) return goExp(e.replace(/\.?0+e/, "e"));
  return String(Number(f.toPrecision(p)));
}
