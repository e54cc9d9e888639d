import { kubeErrors } from "./errors";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(v: unknown): v is Record<string, Json> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** RFC 7386 JSON merge patch: objects merge, `null` deletes, everything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const result: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

interface Operation {
  op: "add" | "remove" | "replace" | "move" | "copy" | "test";
  path: string;
  from?: string;
  value?: unknown;
}

function pointer(path: string): string[] {
  if (path === "") return [];
  if (!path.startsWith("/")) throw kubeErrors.badRequest(`JSON pointer must start with '/': ${path}`);
  return path
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function parentOf(doc: unknown, tokens: string[]): { parent: unknown; last: string } {
  let node = doc;
  for (const t of tokens.slice(0, -1)) {
    node = Array.isArray(node) ? node[Number(t)] : isObject(node) ? node[t] : undefined;
    if (node === undefined) throw kubeErrors.unprocessable(`path /${tokens.join("/")} does not exist`);
  }
  return { parent: node, last: tokens[tokens.length - 1] ?? "" };
}

function get(doc: unknown, tokens: string[]): unknown {
  let node = doc;
  for (const t of tokens) {
    node = Array.isArray(node) ? node[Number(t)] : isObject(node) ? node[t] : undefined;
    if (node === undefined) throw kubeErrors.unprocessable(`path /${tokens.join("/")} does not exist`);
  }
  return node;
}

function remove(doc: unknown, tokens: string[]): unknown {
  const { parent, last } = parentOf(doc, tokens);
  const value = get(doc, tokens);
  if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else if (isObject(parent)) delete parent[last];
  return value;
}

function add(doc: unknown, tokens: string[], value: unknown): unknown {
  if (tokens.length === 0) return value;
  const { parent, last } = parentOf(doc, tokens);
  if (Array.isArray(parent)) {
    const index = last === "-" ? parent.length : Number(last);
    if (!Number.isInteger(index) || index < 0 || index > parent.length) {
      throw kubeErrors.unprocessable(`index ${last} is out of bounds`);
    }
    parent.splice(index, 0, value);
  } else if (isObject(parent)) parent[last] = value as Json;
  else throw kubeErrors.unprocessable(`path /${tokens.join("/")} has no parent object`);
  return doc;
}

/** RFC 6902 JSON patch, applied to a copy; a failing operation (or `test`) is a 422 and changes nothing. */
export function jsonPatch(target: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) throw kubeErrors.badRequest("a JSON patch must be an array of operations");
  let doc = structuredClone(target);
  for (const op of operations as Operation[]) {
    const tokens = pointer(op.path);
    switch (op.op) {
      case "add":
        doc = add(doc, tokens, structuredClone(op.value));
        break;
      case "remove":
        remove(doc, tokens);
        break;
      case "replace":
        get(doc, tokens);
        if (tokens.length === 0) doc = structuredClone(op.value);
        else {
          remove(doc, tokens);
          doc = add(doc, tokens, structuredClone(op.value));
        }
        break;
      case "move":
        doc = add(doc, tokens, remove(doc, pointer(op.from ?? "")));
        break;
      case "copy":
        doc = add(doc, tokens, structuredClone(get(doc, pointer(op.from ?? ""))));
        break;
      case "test":
        if (JSON.stringify(get(doc, tokens)) !== JSON.stringify(op.value)) {
          throw kubeErrors.unprocessable(`testing value ${op.path} failed`);
        }
        break;
      default:
        throw kubeErrors.badRequest(`unknown JSON patch operation ${(op as Operation).op}`);
    }
  }
  return doc;
}
