import { isMap } from "./template/values";

type Values = Record<string, unknown>;

function withoutNulls(values: Values): Values {
  return Object.fromEntries(
    Object.entries(values)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => [k, isMap(v) ? withoutNulls(v) : v]),
  );
}

/** Helm's coalescing: what the user gave wins, maps merge key by key, a chart's defaults fill the rest. */
export function coalesce(defaults: Values | undefined, given: Values | undefined): Values {
  // a null removes the key, whether the user or the chart's defaults wrote it
  const out: Values = withoutNulls(defaults ?? {});
  for (const [k, v] of Object.entries(given ?? {})) {
    if (v === null) delete out[k];
    else out[k] = isMap(v) && isMap(out[k]) ? coalesce(out[k] as Values, v) : v;
  }
  return out;
}

/** Values merged as Helm merges values files and `--set`: the later wins, maps merge, nulls stay. */
export function mergeValues(base: Values, over: Values): Values {
  const out: Values = { ...base };
  for (const [k, v] of Object.entries(over))
    out[k] = isMap(v) && isMap(out[k]) ? mergeValues(out[k] as Values, v) : v;
  return out;
}

/** Values as JSON holds them: `--set` integers, int64 (bigint) while rendering, become numbers. */
export function jsonValues(values: Values): Values {
  return JSON.parse(JSON.stringify(values, (_k, v) => (typeof v === "bigint" ? Number(v) : v)));
}
