import { helmFunctions } from "./funcs";
import type { Lookup } from "./lookup";
import { sprig } from "./sprig";
import { TemplateExecError, type TemplateFunc, TemplateSet } from "./template/exec";
import { TemplateSyntaxError } from "./template/lexer";

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

/** `include` and `tpl` bound to `set`; `tpl` works on a copy, so that its `define`s stay its own. */
function templateFuncs(set: TemplateSet, depth: { n: number }): Record<string, TemplateFunc> {
  return {
    include: (name, data) => {
      const n = String(name);
      if (!set.has(n)) throw new Error(`template: no template "${n}" associated with template "gotpl"`);
      if (depth.n >= MAX_INCLUDE_DEPTH)
        throw new Error(`rendering template has a nested reference name: ${n}: unable to execute template`);
      depth.n++;
      try {
        return set.execute(n, data);
      } catch (err) {
        // JavaScript's stack may end before Helm's limit: the same verdict, sooner
        if (err instanceof RangeError)
          throw new Error(`rendering template has a nested reference name: ${n}: unable to execute template`);
        throw err;
      } finally {
        depth.n--;
      }
    },
    tpl: (text, data) => {
      const copy = set.clone();
      copy.addFuncs(templateFuncs(copy, depth));
      const name = `tpl-${copy.names().length}`;
      copy.parse(name, String(text));
      return copy.execute(name, data).replaceAll("<no value>", "");
    },
  };
}

function helmFuncs(options: EngineOptions): Record<string, TemplateFunc> {
  return {
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

/**
 * Helm's trace of a failed execution: for each template down the chain of includes, where it failed,
 * in which action, and why.
 */
function trace(e: TemplateExecError): string {
  let out = "";
  for (let level: Error | undefined = e; level instanceof TemplateExecError; level = level.cause) {
    const frame = level.frame;
    if (!frame) {
      const m = /^template: (.+?): ([\s\S]*)$/.exec(level.message);
      out += m ? `${m[1]}\n  ${m[2]}\n` : `${level.message}\n`;
      continue;
    }
    const next = level.cause;
    let detail = next ? frame.detail.slice(0, -next.message.length).trimEnd() : frame.detail;
    // the error of a template called by name starts a line of its own
    let rest = "";
    const other = next ? -1 : detail.indexOf(" template:");
    if (other >= 0) {
      rest = `${detail.slice(other + 1)}\n`;
      detail = detail.slice(0, other);
    }
    out += `${frame.location}\n  executing "${frame.template}" at <${frame.context}>:\n    ${detail}\n${rest}`;
  }
  return out.trim();
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
    return new RenderError(trace(e));
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
  set.addFuncs(helmFunctions);
  set.addFuncs(helmFuncs(options));
  set.addFuncs(templateFuncs(set, { n: 0 }));
  // Sprig's getHostByName asks DNS; the engine does no I/O, so it finds nothing
  set.addFuncs({ getHostByName: () => "" });
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
