import { stringify } from "yaml";

/** sigs.k8s.io/yaml's output, as Helm's toYaml gives it: keys sorted, sequences not indented under their key, no final newline. */
export function toYaml(v: unknown): string {
  if (v === null || v === undefined) return "null";
  return stringify(v, (_k, x) => (typeof x === "bigint" ? Number(x) : x), {
    sortMapEntries: true,
    indentSeq: false,
    lineWidth: 0,
  }).replace(/\n$/, "");
}
