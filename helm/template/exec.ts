import type { Arg, Command, ControlNode, Node, Pipeline, Tree } from "./ast";
import { builtins } from "./builtins";
import { formatValue } from "./format";
import { lineOf } from "./lexer";
import { argString, commandString, nodeString, pipeString } from "./nodes";
import { parse } from "./parser";
import { isMap, isNil, isStruct, truth, typeName } from "./values";

/** A template function; throwing an Error reports `error calling NAME: message` at the call. */
export type TemplateFunc = (...args: unknown[]) => unknown;

/** How a missing map key evaluates: Go's `missingkey=default|zero|error` option. */
export type MissingKey = "default" | "zero" | "error";

/** An execution failure, formatted like Go's `template: name:line:col: executing "name" at <node>: msg`. */
export class TemplateExecError extends Error {
  override name = "TemplateExecError";

  constructor(
    message: string,
    /** Where it failed (`file:line:col`), the template executing, the action, and what went wrong. */
    readonly frame?: { location: string; template: string; context: string; detail: string },
    /** The error of a template this one called (through `include`), for Helm's multi-line trace. */
    override readonly cause?: Error,
  ) {
    super(message);
  }
}

/** Stops a range iteration early; carried as an exception through nested nodes. */
class LoopSignal {
  constructor(readonly kind: "break" | "continue") {}
}

const MAX_DEPTH = 100_000;

/**
 * A set of named templates sharing one function map, like Go's *template.Template.
 * Parsing adds trees; executing is re-entrant, so functions such as Helm's `include`
 * may call back into `execute`.
 */
export class TemplateSet {
  private readonly trees = new Map<string, Tree>();
  private readonly funcs: Map<string, TemplateFunc>;

  constructor(
    funcs: Record<string, TemplateFunc> = {},
    readonly missingKey: MissingKey = "default",
  ) {
    this.funcs = new Map(Object.entries(funcs));
  }

  /** Adds functions; later parses may use them. */
  addFuncs(funcs: Record<string, TemplateFunc>): void {
    for (const [k, v] of Object.entries(funcs)) this.funcs.set(k, v);
  }

  /** A copy whose later parses and functions do not touch this set (Go's Template.Clone). */
  clone(): TemplateSet {
    const copy = new TemplateSet(Object.fromEntries(this.funcs), this.missingKey);
    for (const [k, t] of this.trees) copy.trees.set(k, t);
    return copy;
  }

  /** Parses `src` as template `name`, adding or replacing its `define`d templates. */
  parse(name: string, src: string): void {
    const parsed = parse(name, src, (fn) => this.funcs.has(fn) || builtinNames.has(fn));
    for (const [k, t] of parsed) this.trees.set(k, t);
  }

  has(name: string): boolean {
    return this.trees.has(name);
  }

  names(): string[] {
    return [...this.trees.keys()];
  }

  /** Executes template `name` with `data` as dot; throws TemplateExecError. */
  execute(name: string, data: unknown, depth = 0): string {
    const tree = this.trees.get(name);
    if (!tree)
      throw new TemplateExecError(`template: no template "${name}" associated with template "${name}"`);
    const st = new State(this, tree, name, data, depth);
    st.walkList(data, tree.root);
    return st.out;
  }

  lookupTree(name: string): Tree | undefined {
    return this.trees.get(name);
  }

  lookupFunc(name: string): TemplateFunc | undefined {
    return this.funcs.get(name);
  }
}

const builtinNames = new Set([...Object.keys(builtins), "and", "or", "call"]);

interface Variable {
  name: string;
  value: unknown;
}

class State {
  out = "";
  private vars: Variable[];
  private node: { pos: number; text: string; tree: Tree } | undefined;

  constructor(
    private readonly set: TemplateSet,
    private tree: Tree,
    private readonly name: string,
    data: unknown,
    private readonly depth: number,
  ) {
    this.vars = [{ name: "$", value: data }];
  }

  private at(pos: number, text: string): void {
    this.node = { pos, text, tree: this.tree };
  }

  private fail(msg: string, cause?: Error): never {
    const n = this.node;
    if (!n) throw new TemplateExecError(`template: ${this.name}: ${msg}`, undefined, cause);
    const before = n.tree.src.slice(0, n.pos);
    const nl = before.lastIndexOf("\n");
    const col = nl < 0 ? n.pos : n.pos - nl - 1;
    const location = `${n.tree.parseName}:${lineOf(n.tree.src, n.pos)}:${col}`;
    throw new TemplateExecError(
      `template: ${location}: executing "${this.name}" at <${n.text}>: ${msg}`,
      { location, template: this.name, context: n.text, detail: msg },
      cause,
    );
  }

  walkList(dot: unknown, list: Node[]): void {
    for (const n of list) this.walk(dot, n);
  }

  private walk(dot: unknown, n: Node): void {
    switch (n.type) {
      case "text":
        this.out += n.text;
        return;
      case "action": {
        const v = this.evalPipeline(dot, n.pipe);
        if (n.pipe.decl.length === 0) this.out += printable(v, () => this.fail(`can't print ${typeName(v)}`));
        return;
      }
      case "if":
      case "with": {
        const mark = this.vars.length;
        const v = this.evalPipeline(dot, n.pipe);
        if (truth(v)) this.walkList(n.type === "with" ? v : dot, n.list);
        else if (n.elseList) this.walkList(dot, n.elseList);
        this.vars.length = mark;
        return;
      }
      case "range":
        this.walkRange(dot, n);
        return;
      case "template": {
        this.at(n.pos, nodeString(n));
        const tree = this.set.lookupTree(n.name);
        if (!tree) this.fail(`template ${JSON.stringify(n.name)} not defined`);
        const newDot = n.pipe ? this.evalPipeline(dot, n.pipe) : undefined;
        if (this.depth + 1 >= MAX_DEPTH) this.fail(`exceeded maximum template depth (${MAX_DEPTH})`);
        const sub = new State(this.set, tree, n.name, newDot, this.depth + 1);
        sub.walkList(newDot, tree.root);
        this.out += sub.out;
        return;
      }
      case "break":
      case "continue":
        throw new LoopSignal(n.type);
    }
  }

  private walkRange(dot: unknown, n: ControlNode): void {
    this.at(n.pos, nodeString(n));
    const mark = this.vars.length;
    const v = this.evalPipeline(dot, n.pipe);
    const entries: [unknown, unknown][] = [];
    if (Array.isArray(v)) for (const [i, x] of v.entries()) entries.push([BigInt(i), x]);
    else if (isMap(v)) for (const k of Object.keys(v).sort()) entries.push([k, v[k]]);
    else if (typeof v === "bigint") for (let i = 0n; i < v; i++) entries.push([i, i]);
    else if (v instanceof Uint8Array) for (const [i, x] of v.entries()) entries.push([BigInt(i), BigInt(x)]);
    else if (!isNil(v)) {
      this.at(n.pos, nodeString(n));
      this.fail(`range can't iterate over ${formatValue(v)}`);
    }
    if (entries.length === 0) {
      this.vars.length = mark;
      if (n.elseList) this.walkList(dot, n.elseList);
      return;
    }
    for (const [k, x] of entries) {
      const inner = this.vars.length;
      if (n.pipe.decl.length === 1) this.setTop(n.pipe.decl[0] as string, x, n.pipe.isAssign);
      if (n.pipe.decl.length === 2) {
        this.setTop(n.pipe.decl[0] as string, k, n.pipe.isAssign);
        this.setTop(n.pipe.decl[1] as string, x, n.pipe.isAssign);
      }
      try {
        this.walkList(x, n.list);
      } catch (e) {
        if (!(e instanceof LoopSignal)) throw e;
        if (e.kind === "break") break;
      } finally {
        this.vars.length = Math.max(inner, mark + (n.pipe.isAssign ? 0 : n.pipe.decl.length));
      }
    }
    this.vars.length = mark;
  }

  private setTop(name: string, value: unknown, isAssign: boolean): void {
    if (isAssign) this.assign(name, value);
    else this.vars.push({ name, value });
  }

  private assign(name: string, value: unknown): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i] as Variable;
      if (v.name === name) {
        v.value = value;
        return;
      }
    }
    this.fail(`undefined variable: ${name}`);
  }

  private lookupVar(name: string): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i] as Variable;
      if (v.name === name) return v.value;
    }
    return this.fail(`undefined variable: ${name}`);
  }

  private evalPipeline(dot: unknown, pipe: Pipeline): unknown {
    this.at(pipe.pos, pipeString(pipe));
    let value: unknown;
    let first = true;
    for (const cmd of pipe.cmds) {
      value = this.evalCommand(dot, cmd, first ? NO_FINAL : value);
      first = false;
    }
    for (const d of pipe.decl) {
      if (pipe.isAssign) this.assign(d, value);
      else this.vars.push({ name: d, value });
    }
    return value;
  }

  private evalCommand(dot: unknown, cmd: Command, final: unknown): unknown {
    const first = cmd.args[0] as Arg;
    switch (first.type) {
      case "field":
        return this.evalFieldChain(dot, dot, first, first.chain, cmd.args, final);
      case "variable": {
        this.at(first.pos, argString(first));
        const v = this.lookupVar(first.name);
        if (first.chain.length === 0) {
          this.notAFunction(cmd.args, final);
          return v;
        }
        return this.evalFieldChain(dot, v, first, first.chain, cmd.args, final);
      }
      case "pipeline": {
        this.notAFunction(cmd.args, final);
        const v = this.evalPipeline(dot, first.pipe);
        this.at(first.pos, argString(first));
        return first.chain.length === 0
          ? v
          : this.evalFieldChain(dot, v, first, first.chain, cmd.args, final);
      }
      case "identifier":
        return this.evalFunction(dot, first, cmd, final);
    }
    this.at(first.pos, argString(first));
    this.notAFunction(cmd.args, final);
    switch (first.type) {
      case "nil":
        return this.fail("nil is not a command");
      case "dot":
        return dot;
      default:
        return this.evalArg(dot, first);
    }
  }

  private notAFunction(args: Arg[], final: unknown): void {
    if (args.length > 1 || final !== NO_FINAL)
      this.fail(`can't give argument to non-function ${argString(args[0] as Arg)}`);
  }

  private evalFunction(
    dot: unknown,
    id: Arg & { type: "identifier" },
    cmd: Command,
    final: unknown,
  ): unknown {
    this.at(id.pos, id.name);
    const name = id.name;
    if (name === "and" || name === "or") {
      const args = cmd.args.slice(1);
      if (args.length === 0 && final === NO_FINAL)
        this.fail(`wrong number of args for ${name}: want at least 1 got 0`);
      let v: unknown;
      for (const a of args) {
        v = this.evalArg(dot, a);
        if (truth(v) === (name === "or")) return v;
      }
      if (final !== NO_FINAL) v = final;
      return v;
    }
    const fn = this.set.lookupFunc(name) ?? (builtins[name] as TemplateFunc | undefined);
    if (!fn) return this.fail(`"${name}" is not a defined function`);
    const argv = cmd.args.slice(1).map((a) => this.evalArg(dot, a));
    if (final !== NO_FINAL) argv.push(final);
    return this.call(name, fn, argv, cmd.pos, commandString(cmd));
  }

  private call(name: string, fn: TemplateFunc, argv: unknown[], pos: number, text: string): unknown {
    try {
      return fn(...argv);
    } catch (e) {
      if (e instanceof LoopSignal) throw e;
      this.at(pos, text);
      const msg = e instanceof Error ? e.message : String(e);
      if (e instanceof ArgError) return this.fail(msg);
      return this.fail(`error calling ${name}: ${msg}`, e instanceof TemplateExecError ? e : undefined);
    }
  }

  private evalArg(dot: unknown, a: Arg): unknown {
    this.at(a.pos, argString(a));
    switch (a.type) {
      case "dot":
        return dot;
      case "nil":
        return null;
      case "bool":
        return a.value;
      case "number":
        return a.value;
      case "string":
        return a.value;
      case "field":
        return this.evalFieldChain(dot, dot, a, a.chain, [a], NO_FINAL);
      case "variable": {
        const v = this.lookupVar(a.name);
        return a.chain.length === 0 ? v : this.evalFieldChain(dot, v, a, a.chain, [a], NO_FINAL);
      }
      case "pipeline": {
        const v = this.evalPipeline(dot, a.pipe);
        return a.chain.length === 0 ? v : this.evalFieldChain(dot, v, a, a.chain, [a], NO_FINAL);
      }
      case "identifier":
        return this.evalFunction(dot, a, { pos: a.pos, args: [a] }, NO_FINAL);
    }
  }

  private evalFieldChain(
    dot: unknown,
    receiver: unknown,
    node: Arg,
    chain: string[],
    args: Arg[],
    final: unknown,
  ): unknown {
    let r = receiver;
    for (let i = 0; i < chain.length - 1; i++)
      r = this.evalField(dot, chain[i] as string, node, [], NO_FINAL, r);
    return this.evalField(dot, chain[chain.length - 1] as string, node, args, final, r);
  }

  private evalField(
    dot: unknown,
    field: string,
    node: Arg,
    args: Arg[],
    final: unknown,
    receiver: unknown,
  ): unknown {
    this.at(node.pos, argString(node));
    const hasArgs = args.length > 1 || final !== NO_FINAL;
    if (receiver === undefined) {
      if (this.set.missingKey === "error") this.fail(`nil data; no entry for key "${field}"`);
      return undefined;
    }
    if (receiver === null) this.fail(`nil pointer evaluating interface {}.${field}`);
    if (isMap(receiver)) {
      if (hasArgs) this.fail(`${field} is not a method but has arguments`);
      if (Object.hasOwn(receiver, field)) return receiver[field];
      if (this.set.missingKey === "error") this.fail(`map has no entry for key "${field}"`);
      return this.set.missingKey === "zero" ? null : undefined;
    }
    if (isStruct(receiver) && field in receiver) {
      const member = (receiver as Record<string, unknown>)[field];
      if (typeof member === "function") {
        const argv = args.slice(1).map((a) => this.evalArg(dot, a));
        if (final !== NO_FINAL) argv.push(final);
        this.at(node.pos, argString(node));
        return this.call(field, member.bind(receiver) as TemplateFunc, argv, node.pos, argString(node));
      }
      if (hasArgs) this.fail(`${field} has arguments but cannot be invoked as function`);
      return member;
    }
    return this.fail(`can't evaluate field ${field} in type ${typeName(receiver)}`);
  }
}

/** Thrown by a function to report an argument error without the `error calling` prefix. */
export class ArgError extends Error {}

const NO_FINAL = Symbol("no final");

/** The text an action prints for a value; Go prints `<no value>` for nil and missing keys. */
function printable(v: unknown, cannot: () => never): string {
  if (isNil(v)) return "<no value>";
  if (typeof v === "function") cannot();
  return formatValue(v);
}
