/** kube-apiserver's message for a string that is not a resource quantity. */
export const QUANTITY_FORMAT_MESSAGE =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

const BINARY: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const DECIMAL: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};
const SHAPE = /^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(.*)$/;
const EXPONENT = /^[eE]([+-]?[0-9]+)$/;

/**
 * Parses a Kubernetes resource quantity (`100m`, `0.5`, `128Mi`, `1G`, `1e3`) into its value in base
 * units (cores, bytes). Returns undefined for anything kube-apiserver would reject, so callers report
 * {@link QUANTITY_FORMAT_MESSAGE}. Values are doubles: exact for the sizes pods use, not beyond 2^53.
 */
export function parseQuantity(text: string): number | undefined {
  const m = SHAPE.exec(text);
  if (!m) return undefined;
  const number = Number(m[1]);
  const suffix = m[2] ?? "";
  const multiplier = BINARY[suffix] ?? DECIMAL[suffix];
  if (multiplier !== undefined) return number * multiplier;
  const exp = EXPONENT.exec(suffix);
  return exp ? number * 10 ** Number(exp[1]) : undefined;
}

/** Value in thousandths of a base unit, rounded up as apimachinery's MilliValue does; undefined if invalid. */
export function toMillis(text: string): number | undefined {
  const v = parseQuantity(text);
  return v === undefined ? undefined : Math.ceil(Math.round(v * 1e3 * 1e6) / 1e6);
}

/** Value in base units (bytes for memory), rounded up as apimachinery's Value does; undefined if invalid. */
export function toUnits(text: string): number | undefined {
  const v = parseQuantity(text);
  return v === undefined ? undefined : Math.ceil(Math.round(v * 1e6) / 1e6);
}
