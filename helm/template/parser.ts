import type { Arg, Command, Node, Pipeline, Tree } from "./ast";
import { lex, lineOf, TemplateSyntaxError, type Token } from "./lexer";

/**
 * Parses `src` as template `name`; returns every tree it defines, the top-level one under `name`.
 * `isFunction` lets the parser reject unknown functions at parse time, as Go does.
 */
export function parse(name: string, src: string, isFunction: (fn: string) => boolean): Map<string, Tree> {
  return new Parser(name, src, isFunction).run();
}

class Parser {
  private readonly tokens: Token[];
  private i = 0;
  private readonly trees = new Map<string, Tree>();
  private vars: string[][] = [["$"]];

  constructor(
    private readonly name: string,
    private readonly src: string,
    private readonly isFunction: (fn: string) => boolean,
  ) {
    this.tokens = lex(name, src);
  }

  run(): Map<string, Tree> {
    const { list, end } = this.list(0);
    if (end !== "eof") this.fail(this.peek().pos, `unexpected {{${end}}}`);
    // Go keeps an earlier non-empty definition over an empty top-level body
    const existing = this.trees.get(this.name);
    if (!existing || !isEmpty(list))
      this.trees.set(this.name, { name: this.name, parseName: this.name, src: this.src, root: list });
    return this.trees;
  }

  private fail(pos: number, msg: string): never {
    throw new TemplateSyntaxError(`template: ${this.name}:${lineOf(this.src, pos)}: ${msg}`);
  }

  private peek(): Token {
    return this.tokens[this.i] as Token;
  }

  private next(): Token {
    return this.tokens[this.i++] as Token;
  }

  private nextNonSpace(): Token {
    let t = this.next();
    while (t.kind === "space") t = this.next();
    return t;
  }

  private peekNonSpace(): Token {
    const save = this.i;
    const t = this.nextNonSpace();
    this.i = save;
    return t;
  }

  private expect(kind: Token["kind"], context: string): Token {
    const t = this.nextNonSpace();
    if (t.kind !== kind) this.fail(t.pos, `unexpected ${describe(t)} in ${context}`);
    return t;
  }

  /** Parses nodes until {{end}}, {{else}} or EOF; reports which one stopped it. */
  private list(depth: number): { list: Node[]; end: "end" | "else" | "eof" } {
    const list: Node[] = [];
    for (;;) {
      const t = this.next();
      if (t.kind === "eof") {
        if (depth > 0) this.fail(t.pos, "unexpected EOF");
        return { list, end: "eof" };
      }
      if (t.kind === "text") {
        list.push({ type: "text", text: t.value });
        continue;
      }
      const kw = this.peekNonSpace();
      if (kw.kind === "keyword") {
        if (kw.value === "end") {
          this.nextNonSpace();
          this.expect("rightDelim", "end");
          if (depth === 0) this.fail(kw.pos, "unexpected {{end}}");
          return { list, end: "end" };
        }
        if (kw.value === "else") {
          if (depth === 0) this.fail(kw.pos, "unexpected {{else}}");
          this.nextNonSpace();
          return { list, end: "else" };
        }
        this.nextNonSpace();
        const node = this.keyword(kw, depth);
        if (node) list.push(node);
        continue;
      }
      list.push({ type: "action", pos: t.pos, pipe: this.pipeline("command", "rightDelim") });
    }
  }

  private keyword(kw: Token, depth: number): Node | undefined {
    switch (kw.value) {
      case "if":
      case "with":
      case "range":
        return this.control(kw.value, kw.pos, depth);
      case "template":
        return this.templateCall(kw.pos, "template");
      case "block": {
        const node = this.templateCall(kw.pos, "block");
        const body = this.body(depth);
        this.trees.set(node.name, { name: node.name, parseName: this.name, src: this.src, root: body });
        return node;
      }
      case "define": {
        const nameTok = this.nextNonSpace();
        if (nameTok.kind !== "string" && nameTok.kind !== "rawString")
          this.fail(nameTok.pos, `unexpected ${describe(nameTok)} in define clause`);
        this.expect("rightDelim", "define clause");
        const saved = this.vars;
        this.vars = [["$"]];
        const body = this.body(depth);
        this.vars = saved;
        const name = unquote(nameTok.value);
        const existing = this.trees.get(name);
        if (!existing || !isEmpty(body))
          this.trees.set(name, { name, parseName: this.name, src: this.src, root: body });
        return undefined;
      }
      case "break":
      case "continue":
        if (!this.inRange) this.fail(kw.pos, `{{${kw.value}}} outside {{range}}`);
        this.expect("rightDelim", kw.value);
        return { type: kw.value, pos: kw.pos };
      default:
        return this.fail(kw.pos, `unexpected ${kw.value}`);
    }
  }

  private rangeDepth = 0;
  private get inRange(): boolean {
    return this.rangeDepth > 0;
  }

  private body(depth: number): Node[] {
    const { list, end } = this.list(depth + 1);
    if (end !== "end") this.fail(this.peek().pos, "unexpected {{else}}");
    return list;
  }

  private control(kind: "if" | "with" | "range", pos: number, depth: number): Node {
    this.vars.push([]);
    const pipe = this.pipeline(kind, "rightDelim");
    if (kind === "range") this.rangeDepth++;
    const first = this.list(depth + 1);
    if (kind === "range") this.rangeDepth--;
    let elseList: Node[] | undefined;
    if (first.end === "else") {
      const after = this.peekNonSpace();
      if (after.kind === "keyword" && (after.value === "if" || after.value === "with") && kind !== "range") {
        // `{{else if x}}` is sugar for `{{else}}{{if x}}...{{end}}` sharing the final {{end}}
        this.nextNonSpace();
        elseList = [this.control(after.value as "if" | "with", after.pos, depth)];
      } else {
        this.expect("rightDelim", "else");
        elseList = this.body(depth);
      }
    }
    this.vars.pop();
    return { type: kind, pos, pipe, list: first.list, elseList };
  }

  private templateCall(pos: number, context: string): Node & { type: "template"; name: string } {
    const nameTok = this.nextNonSpace();
    if (nameTok.kind !== "string" && nameTok.kind !== "rawString")
      this.fail(nameTok.pos, `unexpected ${describe(nameTok)} in ${context} clause`);
    let pipe: Pipeline | undefined;
    if (this.peekNonSpace().kind !== "rightDelim") pipe = this.pipeline(context, "rightDelim");
    else this.nextNonSpace();
    return { type: "template", pos, name: unquote(nameTok.value), pipe };
  }

  private declared(name: string): boolean {
    return this.vars.some((scope) => scope.includes(name));
  }

  private pipeline(context: string, endKind: "rightDelim" | "rightParen"): Pipeline {
    const start = this.peekNonSpace();
    const pipe: Pipeline = { pos: start.pos, decl: [], isAssign: false, cmds: [] };
    // variable declarations: $x := or $x, $y := (range only)
    const save = this.i;
    const v = this.nextNonSpace();
    if (v.kind === "variable") {
      const after = this.nextNonSpace();
      if (after.kind === "declare" || after.kind === "assign") {
        pipe.decl.push(v.value);
        pipe.isAssign = after.kind === "assign";
      } else if (after.kind === "comma" && context === "range") {
        const v2 = this.expect("variable", "range");
        const op = this.nextNonSpace();
        if (op.kind !== "declare" && op.kind !== "assign")
          this.fail(op.pos, "range can only initialize variables");
        pipe.decl.push(v.value, v2.value);
        pipe.isAssign = op.kind === "assign";
      } else this.i = save;
    } else this.i = save;
    for (const d of pipe.decl) {
      if (pipe.isAssign) {
        if (!this.declared(d)) this.fail(v.pos, `undefined variable "${d}"`);
      } else this.vars[this.vars.length - 1]?.push(d);
    }
    for (;;) {
      const t = this.peekNonSpace();
      if (t.kind === endKind) {
        this.nextNonSpace();
        if (pipe.cmds.length === 0) this.fail(t.pos, `missing value for ${context}`);
        return pipe;
      }
      pipe.cmds.push(this.command(endKind, context));
      const sep = this.peekNonSpace();
      if (sep.kind === "pipe") {
        this.nextNonSpace();
        if (this.peekNonSpace().kind === endKind) this.fail(sep.pos, "missing command after pipe");
      } else if (sep.kind !== endKind) this.fail(sep.pos, `unexpected ${describe(sep)} in operand`);
    }
  }

  private command(endKind: "rightDelim" | "rightParen", context: string): Command {
    const pos = this.peekNonSpace().pos;
    const args: Arg[] = [];
    for (;;) {
      const t = this.peekNonSpace();
      if (t.kind === endKind || t.kind === "pipe") break;
      if (t.kind === "eof" || t.kind === "rightDelim" || t.kind === "rightParen")
        this.fail(t.pos, `unexpected ${describe(t)} in ${context}`);
      if (args.length > 0 && this.tokens[this.i]?.kind !== "space")
        this.fail(t.pos, `missing space before ${describe(t)}`);
      args.push(this.operand());
    }
    if (args.length === 0) this.fail(pos, "empty command");
    return { pos, args };
  }

  private fieldChain(): string[] {
    const chain: string[] = [];
    while (this.peek().kind === "field") chain.push(this.next().value.slice(1));
    return chain;
  }

  private operand(): Arg {
    const t = this.nextNonSpace();
    switch (t.kind) {
      // like Go's parser, a node with a chain of fields sits where the chain starts
      case "field": {
        const at = this.peek().pos;
        const chain = this.fieldChain();
        return { type: "field", pos: chain.length ? at : t.pos, chain: [t.value.slice(1), ...chain] };
      }
      case "variable": {
        if (!this.declared(t.value)) this.fail(t.pos, `undefined variable "${t.value}"`);
        const at = this.peek().pos;
        const chain = this.fieldChain();
        return { type: "variable", pos: chain.length ? at : t.pos, name: t.value, chain };
      }
      case "identifier":
        if (!this.isFunction(t.value)) this.fail(t.pos, `function "${t.value}" not defined`);
        return { type: "identifier", pos: t.pos, name: t.value };
      case "dot":
        return { type: "dot", pos: t.pos };
      case "nil":
        return { type: "nil", pos: t.pos };
      case "bool":
        return { type: "bool", pos: t.pos, value: t.value === "true" };
      case "string":
      case "rawString":
        return { type: "string", pos: t.pos, value: unquote(t.value), text: t.value };
      case "char":
        return numberArg(t.pos, String(unquote(`"${t.value.slice(1, -1)}"`).codePointAt(0)), t.value);
      case "number":
        return numberArg(t.pos, t.value, t.value, (m) => this.fail(t.pos, m));
      case "leftParen": {
        const pipe = this.pipeline("parenthesized pipeline", "rightParen");
        return { type: "pipeline", pos: t.pos, pipe, chain: this.fieldChain() };
      }
      default:
        return this.fail(t.pos, `unexpected ${describe(t)} in operand`);
    }
  }
}

function numberArg(pos: number, text: string, original: string, fail?: (m: string) => never): Arg {
  const clean = text.replace(/_/g, "");
  const isFloat = /^[+-]?(\d*\.\d*|\d+[eE])/.test(clean) && !/^[+-]?0[xX]/.test(clean);
  if (isFloat) {
    const value = Number(clean);
    if (Number.isNaN(value) && fail) fail(`bad number syntax: "${original}"`);
    return { type: "number", pos, text: original, value, isFloat: true };
  }
  const neg = clean.startsWith("-");
  const digits = clean.replace(/^[+-]/, "");
  let big: bigint;
  try {
    big = BigInt(/^0[0-7]+$/.test(digits) ? `0o${digits.slice(1)}` : digits);
  } catch {
    return fail ? fail(`bad number syntax: "${original}"`) : { type: "nil", pos };
  }
  return { type: "number", pos, text: original, value: neg ? -big : big, isFloat: false };
}

function isEmpty(list: Node[]): boolean {
  return list.every((n) => n.type === "text" && n.text.trim() === "");
}

function describe(t: Token): string {
  if (t.kind === "eof") return "EOF";
  if (t.kind === "rightDelim") return "<}}>";
  return `<${t.value}>`;
}

/** Decodes a Go string literal (interpreted or raw). */
export function unquote(lit: string): string {
  if (lit.startsWith("`")) return lit.slice(1, -1);
  const body = lit.slice(1, -1);
  return body.replace(/\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|x[0-9a-fA-F]{2}|[0-7]{3}|.)/g, (_m, e: string) => {
    switch (e[0]) {
      case "n":
        return "\n";
      case "t":
        return "\t";
      case "r":
        return "\r";
      case "a":
        return "\x07";
      case "b":
        return "\b";
      case "f":
        return "\f";
      case "v":
        return "\v";
      case "u":
      case "U":
      case "x":
        return String.fromCodePoint(Number.parseInt(e.slice(1), 16));
      default:
        return /[0-7]/.test(e[0] ?? "") ? String.fromCodePoint(Number.parseInt(e, 8)) : e;
    }
  });
}
