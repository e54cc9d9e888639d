import type { TemplateFunc } from "../template/exec";
import { isMap, typeName } from "../template/values";
import { str } from "./convert";

/** Go's path.Clean: the shortest equivalent path, "." for nothing. */
export function clean(p: string): string {
  if (p === "") return ".";
  const rooted = p.startsWith("/");
  const out: string[] = [];
  for (const part of p.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length && out[out.length - 1] !== "..") out.pop();
      else if (!rooted) out.push("..");
      continue;
    }
    out.push(part);
  }
  const joined = out.join("/");
  if (rooted) return `/${joined}`;
  return joined || ".";
}

export function base(p: string): string {
  if (p === "") return ".";
  const trimmed = p.replace(/\/+$/, "");
  if (trimmed === "") return "/";
  return trimmed.slice(trimmed.lastIndexOf("/") + 1);
}

export function dir(p: string): string {
  return clean(p.slice(0, p.lastIndexOf("/") + 1));
}

export function ext(p: string): string {
  for (let i = p.length - 1; i >= 0 && p[i] !== "/"; i--) if (p[i] === ".") return p.slice(i);
  return "";
}

const UNRESERVED = /[A-Za-z0-9\-_.~]/;

/** Go's url escaping for a path (`$&+,/:;=@` stay) or a fragment (also `!()*?'`). */
function urlEscape(s: string, keep: string): string {
  let out = "";
  for (const b of Buffer.from(s)) {
    const c = String.fromCharCode(b);
    out +=
      b < 0x80 && (UNRESERVED.test(c) || keep.includes(c))
        ? c
        : `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

function urlUnescape(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Sprig's urlParse: the parts of Go's url.Parse as a dict. */
function urlParse(text: string): Record<string, unknown> {
  let rest = text;
  let fragment = "";
  const hash = rest.indexOf("#");
  if (hash >= 0) {
    fragment = urlUnescape(rest.slice(hash + 1));
    rest = rest.slice(0, hash);
  }
  let scheme = "";
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(rest);
  if (m) {
    scheme = (m[1] as string).toLowerCase();
    rest = rest.slice(m[0].length);
  } else if (/^[^/?]*:/.test(rest) && !rest.startsWith("/"))
    throw new Error(`unable to parse url: parse ${JSON.stringify(text)}: missing protocol scheme`);
  let query = "";
  const qm = rest.indexOf("?");
  if (qm >= 0) {
    query = rest.slice(qm + 1);
    rest = rest.slice(0, qm);
  }
  let opaque = "";
  let host = "";
  let userinfo = "";
  let path = "";
  if (scheme && !rest.startsWith("/")) opaque = rest;
  else {
    if (rest.startsWith("//") && (scheme || !rest.startsWith("///"))) {
      const end = rest.indexOf("/", 2);
      let authority = end < 0 ? rest.slice(2) : rest.slice(2, end);
      rest = end < 0 ? "" : rest.slice(end);
      const at = authority.lastIndexOf("@");
      if (at >= 0) {
        userinfo = authority.slice(0, at);
        authority = authority.slice(at + 1);
      }
      host = urlUnescape(authority);
    }
    path = urlUnescape(rest);
  }
  const hostname = host.startsWith("[") ? host.slice(1, host.indexOf("]")) : host.replace(/:\d*$/, "");
  return { scheme, host, hostname, path, query, opaque, fragment, userinfo };
}

function field(d: Record<string, unknown>, key: string): string {
  if (!Object.hasOwn(d, key)) return "";
  const v = d[key];
  if (typeof v !== "string")
    throw new Error(
      `unable to parse ${key} key, must be of type string, but ${typeName(v)
        .replace(/^\[\].*/, "slice")
        .replace(/^map\[.*/, "map")} found`,
    );
  return v;
}

/** Sprig's urlJoin: Go's url.URL{…}.String(). */
function urlJoin(d: unknown): string {
  if (!isMap(d))
    throw new Error(`wrong type for value; expected map[string]interface {}; got ${typeName(d)}`);
  const scheme = field(d, "scheme");
  const host = field(d, "host");
  const path = field(d, "path");
  const query = field(d, "query");
  const opaque = field(d, "opaque");
  const fragment = field(d, "fragment");
  const userinfo = field(d, "userinfo");
  let out = "";
  if (scheme) out += `${scheme}:`;
  if (opaque) out += opaque;
  else {
    if (scheme || host || userinfo) {
      if (host || path || userinfo) out += "//";
      if (userinfo) out += `${userinfo}@`;
      if (host) out += urlEscape(host, "!$&'()*+,;=:[]");
    }
    const escaped = urlEscape(path, "$&+,/:;=@");
    if (escaped && !escaped.startsWith("/") && host) out += "/";
    if (out === "" && /^[^/]*:/.test(escaped)) out += "./";
    out += escaped;
  }
  if (query) out += `?${query}`;
  if (fragment) out += `#${urlEscape(fragment, "$&+,/:;=@!()*?'")}`;
  return out;
}

/** Sprig's path, filepath (the same on Linux) and URL functions. */
export const sprigPaths: Record<string, TemplateFunc> = {
  base: (p) => base(str(p)),
  dir: (p) => dir(str(p)),
  clean: (p) => clean(str(p)),
  ext: (p) => ext(str(p)),
  isAbs: (p) => str(p).startsWith("/"),
  osBase: (p) => base(str(p)),
  osDir: (p) => dir(str(p)),
  osClean: (p) => clean(str(p)),
  osExt: (p) => ext(str(p)),
  osIsAbs: (p) => str(p).startsWith("/"),
  urlParse: (u) => urlParse(str(u)),
  urlJoin: (d) => urlJoin(d),
};
