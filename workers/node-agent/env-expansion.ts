/**
 * Kubernetes' `$(VAR)` expansion in env values, command and args: a defined name is replaced, an unknown
 * one is kept as written, `$$` is a literal `$` (so `$$(VAR)` gives `$(VAR)`), any other `$` stays.
 */
export function expandVars(input: string, lookup: (name: string) => string | undefined): string {
  let out = "";
  let i = 0;
  while (i < input.length) {
    const dollar = input.indexOf("$", i);
    if (dollar < 0 || dollar === input.length - 1) return out + input.slice(i);
    out += input.slice(i, dollar);
    const next = input[dollar + 1];
    if (next === "$") {
      out += "$";
      i = dollar + 2;
    } else if (next === "(") {
      const close = input.indexOf(")", dollar + 2);
      if (close < 0) return `${out}${input.slice(dollar)}`;
      const name = input.slice(dollar + 2, close);
      out += lookup(name) ?? `$(${name})`;
      i = close + 1;
    } else {
      out += "$";
      i = dollar + 1;
    }
  }
  return out;
}

/**
 * A container's environment as the kubelet builds it: envFrom sources first (with their prefix), then env
 * in order, each value expanded against what is defined before it; later names override earlier ones.
 */
export function containerEnvironment(
  base: Record<string, string>,
  fromSources: { prefix?: string; values: Record<string, string> }[],
  vars: { name: string; value: string | undefined; literal: boolean }[],
): Map<string, string> {
  const env = new Map(Object.entries(base));
  for (const source of fromSources)
    for (const [key, value] of Object.entries(source.values)) env.set(`${source.prefix ?? ""}${key}`, value);
  for (const v of vars) {
    if (v.value === undefined) continue;
    env.set(v.name, v.literal ? expandVars(v.value, (name) => env.get(name)) : v.value);
  }
  return env;
}
