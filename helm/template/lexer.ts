/** A token of Go's text/template language; `pos` is the byte offset in the source. */
export interface Token {
  kind: TokenKind;
  value: string;
  pos: number;
}

export type TokenKind =
  | "text"
  | "leftDelim"
  | "rightDelim"
  | "identifier"
  | "keyword"
  | "field"
  | "variable"
  | "declare"
  | "assign"
  | "pipe"
  | "leftParen"
  | "rightParen"
  | "string"
  | "rawString"
  | "char"
  | "number"
  | "bool"
  | "nil"
  | "dot"
  | "comma"
  | "space"
  | "eof";

const KEYWORDS = new Set([
  "if",
  "else",
  "end",
  "range",
  "with",
  "define",
  "template",
  "block",
  "break",
  "continue",
]);

/** Thrown for malformed template source; the message follows Go's `template: name:line: ...` form. */
export class TemplateSyntaxError extends Error {}

/** Line number (1-based) of byte offset `pos` in `src`, as Go reports it. */
export function lineOf(src: string, pos: number): number {
  let line = 1;
  for (let i = 0; i < pos && i < src.length; i++) if (src[i] === "\n") line++;
  return line;
}

const isSpace = (c: string | undefined): boolean => c === " " || c === "\t" || c === "\r" || c === "\n";
const isAlnum = (c: string | undefined): boolean => c !== undefined && /[\p{L}\p{N}_]/u.test(c);

/**
 * Splits template source into tokens, applying `{{-`/`-}}` trimming to the surrounding text
 * and dropping comments, so the parser sees only meaningful tokens.
 */
export function lex(name: string, src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const fail = (pos: number, msg: string): never => {
    throw new TemplateSyntaxError(`template: ${name}:${lineOf(src, pos)}: ${msg}`);
  };
  let trimNextText = false;
  while (i < src.length) {
    const open = src.indexOf("{{", i);
    const end = open < 0 ? src.length : open;
    let text = src.slice(i, end);
    const trimLeft = open >= 0 && src[open + 2] === "-" && isSpace(src[open + 3]);
    if (trimNextText) text = text.replace(/^[ \t\r\n]+/, "");
    if (trimLeft) text = text.replace(/[ \t\r\n]+$/, "");
    if (text.length > 0) out.push({ kind: "text", value: text, pos: i });
    trimNextText = false;
    if (open < 0) break;
    let p = open + (trimLeft ? 3 : 2);
    // comments: {{/* ... */}} with optional trim markers
    let q = p;
    while (isSpace(src[q])) q++;
    if (src.startsWith("/*", q) && (q === p || trimLeft)) {
      const close = src.indexOf("*/", q + 2);
      if (close < 0) fail(open, "unclosed comment");
      let r = close + 2;
      let trimRight = false;
      if (src[r] === " " && src.startsWith("-}}", r + 1)) {
        trimRight = true;
        r += 4;
      } else if (src.startsWith("}}", r)) r += 2;
      else fail(open, "comment ends before closing delimiter");
      trimNextText = trimRight;
      i = r;
      continue;
    }
    out.push({ kind: "leftDelim", value: "{{", pos: open });
    let parenDepth = 0;
    for (;;) {
      if (p >= src.length) fail(open, "unclosed action");
      const c = src[p] as string;
      if (isSpace(c)) {
        let s = p;
        while (isSpace(src[s])) s++;
        if (src.startsWith("-}}", s) && s > p) {
          out.push({ kind: "rightDelim", value: "}}", pos: s });
          trimNextText = true;
          p = s + 3;
          break;
        }
        out.push({ kind: "space", value: src.slice(p, s), pos: p });
        p = s;
        continue;
      }
      if (src.startsWith("}}", p)) {
        if (parenDepth > 0) fail(p, "unclosed left paren");
        out.push({ kind: "rightDelim", value: "}}", pos: p });
        p += 2;
        break;
      }
      const start = p;
      if (c === "(") {
        parenDepth++;
        out.push({ kind: "leftParen", value: c, pos: p++ });
      } else if (c === ")") {
        parenDepth--;
        if (parenDepth < 0) fail(p, "unexpected right paren");
        out.push({ kind: "rightParen", value: c, pos: p++ });
      } else if (c === "|") out.push({ kind: "pipe", value: c, pos: p++ });
      else if (c === ",") out.push({ kind: "comma", value: c, pos: p++ });
      else if (c === ":" && src[p + 1] === "=") {
        out.push({ kind: "declare", value: ":=", pos: p });
        p += 2;
      } else if (c === "=") out.push({ kind: "assign", value: c, pos: p++ });
      else if (c === '"') {
        p++;
        while (src[p] !== '"') {
          if (p >= src.length || src[p] === "\n") fail(start, "unterminated quoted string");
          if (src[p] === "\\") p++;
          p++;
        }
        p++;
        out.push({ kind: "string", value: src.slice(start, p), pos: start });
      } else if (c === "`") {
        const close = src.indexOf("`", p + 1);
        if (close < 0) fail(start, "unterminated raw quoted string");
        p = close + 1;
        out.push({ kind: "rawString", value: src.slice(start, p), pos: start });
      } else if (c === "'") {
        p++;
        while (src[p] !== "'") {
          if (p >= src.length || src[p] === "\n") fail(start, "unterminated character constant");
          if (src[p] === "\\") p++;
          p++;
        }
        p++;
        out.push({ kind: "char", value: src.slice(start, p), pos: start });
      } else if (c === "$") {
        p++;
        while (isAlnum(src[p])) p++;
        out.push({ kind: "variable", value: src.slice(start, p), pos: start });
      } else if (c === ".") {
        if (/[0-9]/.test(src[p + 1] ?? "")) {
          p = scanNumber(src, p);
          out.push({ kind: "number", value: src.slice(start, p), pos: start });
        } else if (isAlnum(src[p + 1])) {
          p++;
          while (isAlnum(src[p])) p++;
          out.push({ kind: "field", value: src.slice(start, p), pos: start });
        } else out.push({ kind: "dot", value: ".", pos: p++ });
      } else if (/[0-9+-]/.test(c)) {
        p = scanNumber(src, p);
        if (p === start) fail(start, `unexpected "${c}" in command`);
        out.push({ kind: "number", value: src.slice(start, p), pos: start });
      } else if (isAlnum(c)) {
        while (isAlnum(src[p])) p++;
        const word = src.slice(start, p);
        const kind: TokenKind = KEYWORDS.has(word)
          ? "keyword"
          : word === "true" || word === "false"
            ? "bool"
            : word === "nil"
              ? "nil"
              : "identifier";
        out.push({ kind, value: word, pos: start });
      } else fail(p, `unexpected ${JSON.stringify(c)} in command`);
      // a field chain directly after a closing paren or variable, e.g. (x).a or $x.a
      while (src[p] === "." && isAlnum(src[p + 1])) {
        const s = p++;
        while (isAlnum(src[p])) p++;
        out.push({ kind: "field", value: src.slice(s, p), pos: s });
      }
    }
    i = p;
  }
  out.push({ kind: "eof", value: "", pos: src.length });
  return out;
}

function scanNumber(src: string, start: number): number {
  const m = /^[+-]?(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(\d[\d_]*)?\.?\d*([eE][+-]?\d+)?)(i)?/.exec(
    src.slice(start),
  );
  return start + (m?.[0].length ?? 0);
}
