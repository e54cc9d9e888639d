import { RE2 } from "re2-wasm";

/**
 * Regular expressions written by a cluster's user run in RE2 (re2-wasm), as kube-apiserver runs them: its
 * syntax (no backreferences or lookarounds), and time linear in the input, so a pattern such as `^(a+)+$`
 * cannot hold the API process that every cluster shares.
 */

const MAX_CACHED = 1000;
const compiled = new Map<string, RE2 | string>();

/** The compiled pattern, or why it does not compile. */
export function compilePattern(pattern: string): RE2 | string {
  let re = compiled.get(pattern);
  if (re === undefined) {
    try {
      re = new RE2(pattern, "u");
    } catch (err) {
      re = (err as Error).message.replace(/^Invalid regular expression: /, "");
    }
    if (compiled.size >= MAX_CACHED) compiled.clear();
    compiled.set(pattern, re);
  }
  return re;
}

/** Whether the value matches; false for a pattern that does not compile (refused when the CRD was written). */
export function matchesPattern(pattern: string, value: string): boolean {
  const re = compilePattern(pattern);
  return typeof re !== "string" && re.test(value);
}
