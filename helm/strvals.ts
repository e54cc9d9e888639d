import { isMap } from "./template/values";

type Values = Record<string, unknown>;

/** A `--set` argument that does not parse, with strvals' message. */
export class SetSyntaxError extends Error {
  override name = "SetSyntaxError";
}

/** Helm refuses list indexes past this. */
const MAX_INDEX = 65_536;

/** Helm's typing of a `--set` value: booleans, null and integers (not floats, nor `0`-prefixed numbers). */
function typed(text: string, asString: boolean): unknown {
  if (asString) return text;
  const lower = text.toLowerCase();
  if (lower === "true") return true;
  if (lower === "false") return false;
  if (lower === "null") return null;
  if (text === "0") return 0n;
  if (/^[1-9]\d*$|^[-+][1-9]\d*$/.test(text)) {
    const n = BigInt(text);
    if (n >= -(2n ** 63n) && n < 2n ** 63n) return n;
  }
  return text;
}

/** One `--set` argument (`a.b=c,list={x,y},items[0].name=z`), parsed into `into` as Helm's strvals does. */
class Assignments {
  private i = 0;

  constructor(
    private readonly text: string,
    private readonly asString: boolean,
  ) {}

  parse(into: Values): void {
    while (this.i < this.text.length) this.key(into);
  }

  /** Reads up to one of `stops` (consumed, and returned), honouring backslash escapes. */
  private until(stops: string): { text: string; stop: string | undefined } {
    let out = "";
    while (this.i < this.text.length) {
      const c = this.text[this.i++] as string;
      if (c === "\\" && this.i < this.text.length) out += this.text[this.i++];
      else if (stops.includes(c)) return { text: out, stop: c };
      else out += c;
    }
    return { text: out, stop: undefined };
  }

  private key(data: Values): void {
    const { text: key, stop } = this.until("=[,.");
    if (stop === undefined) throw new SetSyntaxError(`key "${key}" has no value`);
    if (stop === ",") throw new SetSyntaxError(`key "${key}" has no value (cannot end with ,)`);
    if (stop === "=") data[key] = this.value();
    else if (stop === ".") {
      const sub = isMap(data[key]) ? (data[key] as Values) : {};
      data[key] = sub;
      this.key(sub);
    } else data[key] = this.item(Array.isArray(data[key]) ? (data[key] as unknown[]) : [], this.index(key));
  }

  private index(key: string): number {
    const { text, stop } = this.until("]");
    if (stop === undefined) throw new SetSyntaxError(`key "${key}" has no closing bracket`);
    const n = Number.parseInt(text, 10);
    if (!/^-?\d+$/.test(text)) throw new SetSyntaxError(`failed to parse index: ${text}`);
    if (n < 0) throw new SetSyntaxError(`negative ${n} index not allowed`);
    if (n > MAX_INDEX)
      throw new SetSyntaxError(`index of ${n} is greater than maximum supported index of ${MAX_INDEX}`);
    return n;
  }

  /** What follows `list[index]`: `=value`, `.key…` or `[index]…`. */
  private item(list: unknown[], index: number): unknown[] {
    const out = [...list];
    while (out.length <= index) out.push(null);
    const c = this.text[this.i++];
    if (c === "=") out[index] = this.value();
    else if (c === ".") {
      const sub = isMap(out[index]) ? (out[index] as Values) : {};
      out[index] = sub;
      this.key(sub);
    } else if (c === "[")
      out[index] = this.item(Array.isArray(out[index]) ? (out[index] as unknown[]) : [], this.index(""));
    else throw new SetSyntaxError(`key "[${index}]" has no value`);
    return out;
  }

  /** A value up to the next `,`, or a `{a,b}` list. */
  private value(): unknown {
    if (this.text[this.i] !== "{") return typed(this.until(",").text, this.asString);
    this.i++;
    const items: unknown[] = [];
    for (;;) {
      const { text, stop } = this.until(",}");
      if (stop === undefined) throw new SetSyntaxError("list must terminate with '}'");
      if (text !== "" || stop === ",") items.push(typed(text, this.asString));
      if (stop === "}") break;
    }
    if (this.i < this.text.length && this.until(",").text !== "")
      throw new SetSyntaxError("list must terminate with '}'");
    return items;
  }
}

/**
 * `--set` (or, with `asString`, `--set-string`) arguments as values, each parsed on top of the ones
 * before: dotted keys, `[i]` list indexes, `{a,b}` lists, `\` escapes, and Helm's typing.
 */
export function parseSetValues(assignments: string[], asString = false, into: Values = {}): Values {
  for (const a of assignments) new Assignments(a, asString).parse(into);
  return into;
}
