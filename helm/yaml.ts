import { stringify, type YAMLError } from "yaml";

/** sigs.k8s.io/yaml's output, as Helm's toYaml gives it: keys sorted, sequences not indented under their key, no final newline. */
export function toYaml(v: unknown): string {
  if (v === null || v === undefined) return "null";
  return stringify(v, (_k, x) => (typeof x === "bigint" ? Number(x) : x), {
    sortMapEntries: true,
    indentSeq: false,
    lineWidth: 0,
  }).replace(/\n$/, "");
}

/** go-yaml's words for the parse errors charts commonly make, with its line numbers. */
export function goYamlError(e: YAMLError): string {
  const line = e.linePos?.[0].line ?? 1;
  const first = e.message.split("\n")[0]?.replace(/ at line \d+, column \d+:?$/, "") ?? e.message;
  switch (e.code) {
    case "MISSING_CHAR":
      if (first.startsWith("Implicit map keys")) return `yaml: line ${line + 1}: could not find expected ':'`;
      break;
    case "BLOCK_AS_IMPLICIT_KEY":
      return `yaml: line ${line}: mapping values are not allowed in this context`;
    case "TAB_AS_INDENT":
      return `yaml: line ${line}: found character that cannot start any token`;
  }
  return `yaml: line ${line}: ${first.charAt(0).toLowerCase()}${first.slice(1)}`;
}
