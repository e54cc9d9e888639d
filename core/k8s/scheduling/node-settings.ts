import { TAINT_EFFECTS } from "./taints";
import type { Taint, TaintEffect } from "./types";

/**
 * Parses taints in kubectl's syntax, comma separated: `key=value:Effect` or `key:Effect`. Throws naming the
 * bad entry.
 */
export function parseTaints(input: string | undefined): Taint[] {
  if (!input?.trim()) return [];
  return input
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .map((spec) => {
      const m = /^([^=:\s]+)(?:=([^:\s]*))?:(\w+)$/.exec(spec);
      const effect = m?.[3] as TaintEffect | undefined;
      if (!m?.[1] || !effect || !TAINT_EFFECTS.includes(effect)) {
        throw new Error(`invalid taint "${spec}": want key[=value]:${TAINT_EFFECTS.join("|")}`);
      }
      return { key: m[1], ...(m[2] ? { value: m[2] } : {}), effect };
    });
}

/** Parses `k=v,k2=v2` labels; throws naming the bad entry. */
export function parseLabels(input: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (input ?? "").split(",").map((s) => s.trim())) {
    if (!part) continue;
    const m = /^([^=\s]+)=(\S*)$/.exec(part);
    if (!m?.[1]) throw new Error(`invalid label "${part}": want key=value`);
    out[m[1]] = m[2] ?? "";
  }
  return out;
}
