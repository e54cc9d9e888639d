/**
 * How Go values are modelled:
 * - nil: `null` or `undefined` (`undefined` is Go's invalid value, a missing map key)
 * - int: `bigint`; float64: `number`; string, bool as themselves
 * - map[string]any: a plain object; []any: an array
 * - struct: an instance of a class (fields are properties, methods are functions);
 *   a missing field is an error there, while a missing map key yields no value.
 */
export type GoValue = unknown;

/** A plain object is a Go map; anything else with a prototype of its own is a struct. */
export function isMap(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

export function isStruct(v: unknown): v is object {
  return v !== null && typeof v === "object" && !Array.isArray(v) && !isMap(v) && !(v instanceof Uint8Array);
}

export function isNil(v: unknown): v is null | undefined {
  return v === null || v === undefined;
}

/** Go's template truthiness: zero values and empty containers are false. */
export function truth(v: unknown): boolean {
  if (isNil(v)) return false;
  switch (typeof v) {
    case "boolean":
      return v;
    case "number":
      return v !== 0;
    case "bigint":
      return v !== 0n;
    case "string":
      return v.length > 0;
    case "function":
      return true;
    default:
      if (Array.isArray(v) || v instanceof Uint8Array) return v.length > 0;
      if (isMap(v)) return Object.keys(v).length > 0;
      return true;
  }
}

/** The Go type name printed in `%!v(type=...)` and error messages. */
export function typeName(v: unknown): string {
  if (isNil(v)) return "<nil>";
  switch (typeof v) {
    case "boolean":
      return "bool";
    case "number":
      return "float64";
    case "bigint":
      return "int64";
    case "string":
      return "string";
    case "function":
      return "func";
    default:
      if (Array.isArray(v)) return "[]interface {}";
      if (v instanceof Uint8Array) return "[]uint8";
      if (isMap(v)) return "map[string]interface {}";
      // a class may name the Go type it models (`static goType = "time.Time"`)
      return (
        (v as { constructor: { goType?: string; name: string } }).constructor.goType ??
        (v as object).constructor.name
      );
  }
}
