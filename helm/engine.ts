import { parse as parseYaml } from "yaml";
import type { Lookup } from "./lookup";
import { sprig } from "./sprig";
import { TemplateExecError, type TemplateFunc, TemplateSet } from "./template/exec";
import { TemplateSyntaxError } from "./template/lexer";
import { toYaml } from "./yaml";

function parsed(read: () => unknown, array: boolean): unknown {
  try {
    const value = read();
    if (array) return Array.isArray(value) ? value : [];
    return value !== null && typeof value === "object" && !Array.isArray(value) ? value : {};
  } catch (e) {
    return array ? [(e as Error).message] : { Error: (e as Error).message };
  }
}

/** Marks a message from `required`/`fail` so the error cleanup can recover it from Go's wrapping. */
const WARN_START = "HELM_ERR_START";
const WARN_END = "HELM_ERR_END";
const warnPattern = new RegExp(`${WARN_START}([\\s\\S]*)${WARN_END}`);

/** Options of the engine: `strict` is missingkey=error, `lintMode` turns required/fail into no-ops. */
export interface EngineOptions {
  strict?: boolean;
  lintMode?: boolean;
  /** Templates parsed for their defines but never rendered (library charts' files). */
  definesOnly?: (name: string) => boolean;
  /** The cluster `lookup` reads; without one it finds nothing, as under `helm template`. */
  lookup?: Lookup;
}

/** A rendering failure with Helm's message (`parse error at (...)`, `execution error at (...)`). */
export class RenderError extends Error {
  override name = "RenderError";
}

/** Helm stops a template that includes itself, directly or not, this deep. */
const MAX_INCLUDE_DEPTH = 1000;

function helmFuncs(set: TemplateSet, options: EngineOptions): Record<string, TemplateFunc> {
  let depth = 0;
  return {
    include: (name, data) => {
      const n = String(name);
      if (!set.has(n)) throw new Error(`template: no template "${n}" associated with template "gotpl"`);
      if (depth >= MAX_INCLUDE_DEPTH)
        throw new Error(`rendering template has a nested reference name: ${n}: unable to execute template`);
      depth++;
      try {
        return set.execute(n, data);
      } catch (err) {
        // JavaScript's stack may end before Helm's limit: the same verdict, sooner
        if (err instanceof RangeError)
          throw new Error(`rendering template has a nested reference name: ${n}: unable to execute template`);
        throw err;
      } finally {
        depth--;
      }
    },
    required: (msg, value) => {
      if (value === null || value === undefined || (typeof value === "string" && value === "")) {
        if (options.lintMode) return "";
        throw new Error(WARN_START + String(msg) + WARN_END);
      }
      return value;
    },
    lookup: (apiVersion, kind, namespace, name) =>
      options.lookup?.(String(apiVersion), String(kind), String(namespace), String(name)) ?? {},
    fail: (msg) => {
      if (options.lintMode) return "";
      throw new Error(WARN_START + String(msg) + WARN_END);
    },
  };
}

/** Rewrites Go's template errors the way Helm reports them. */
function cleanup(e: unknown, name: string): RenderError {
  if (e instanceof TemplateSyntaxError) {
    const m = /^template: ([^:]+:\d+): ([\s\S]*)$/.exec(e.message);
    return new RenderError(
      m ? `parse error at (${m[1]}): ${m[2]}` : `parse error in (${name}): ${e.message}`,
    );
  }
  if (e instanceof TemplateExecError) {
    const tokens = e.message.split(": ");
    if (tokens.length < 3) return new RenderError(`execution error at (${name}): ${e.message}`);
    const warn = warnPattern.exec(tokens.slice(2).join(": "));
    if (warn) return new RenderError(`execution error at (${tokens[1]}): ${warn[1]}`);
    return new RenderError(e.message);
  }
  return e instanceof Error ? new RenderError(e.message) : new RenderError(String(e));
}

/**
 * Helm's parse order: deeper paths first, then names in reverse, so that a chart's own `define`s, parsed
 * after its subcharts', win over theirs.
 */
export function sortTemplates(names: string[]): string[] {
  const depth = (n: string) => n.split("/").length;
  return [...names].sort((a, b) => depth(b) - depth(a) || (a < b ? 1 : a > b ? -1 : 0));
}

/**
 * Renders a flat map of templates, each with `dot` as data, in one template set so that they may
 * call each other's `define`s. Partials (basename starting with `_`) are parsed but not output.
 * Throws RenderError with Helm's message on the first failure.
 */
export function renderTemplates(
  templates: Record<string, string>,
  dot: unknown,
  options: EngineOptions & { dotFor?: (name: string) => unknown } = {},
): Record<string, string> {
  const set = new TemplateSet(sprig, options.strict ? "error" : "zero");
  set.addFuncs(helmFuncs(set, options));
  set.addFuncs({
    // Go's encoding/json: map keys sorted
    toJson: (v) =>
      JSON.stringify(v ?? null, (_k, x) => {
        if (typeof x === "bigint") return Number(x);
        if (x && typeof x === "object" && !Array.isArray(x))
          return Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
        return x;
      }),
    getHostByName: () => "",
    // Helm's from* functions: a parse error comes back as the result ({Error: …}, or [message] for arrays)
    fromYaml: (text) => parsed(() => parseYaml(String(text ?? "")), false),
    fromYamlArray: (text) => parsed(() => parseYaml(String(text ?? "")), true),
    fromJson: (text) => parsed(() => JSON.parse(String(text ?? "")), false),
    fromJsonArray: (text) => parsed(() => JSON.parse(String(text ?? "")), true),
    toYaml,
    tpl: (text, data) => {
      const name = `tpl-${set.names().length}`;
      set.parse(name, String(text));
      return set.execute(name, data).replaceAll("<no value>", "");
    },
  });
  const names = Object.keys(templates).sort();
  for (const name of sortTemplates(names)) {
    try {
      set.parse(name, templates[name] as string);
    } catch (e) {
      throw cleanup(e, name);
    }
  }
  const out: Record<string, string> = {};
  for (const name of names) {
    if ((name.split("/").pop() ?? "").startsWith("_") || options.definesOnly?.(name)) continue;
    try {
      out[name] = set.execute(name, options.dotFor ? options.dotFor(name) : dot).replaceAll("<no value>", "");
    } catch (e) {
      throw cleanup(e, name);
    }
  }
  return out;
}
