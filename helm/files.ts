import { toYaml } from "./yaml";

const basename = (path: string) => path.split("/").pop() ?? path;

/** gobwas/glob with `/` as separator, as Helm's Files.Glob uses it: `*` stays within a folder, `**` does not. */
function globPattern(glob: string): RegExp {
  let body = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === "*" && glob[i + 1] === "*") {
      body += ".*";
      i++;
    } else if (c === "*") body += "[^/]*";
    else if (c === "?") body += "[^/]";
    else if (c === "{") body += "(?:";
    else if (c === "}") body += ")";
    else if (c === ",") body += "|";
    else body += c.replace(/[.+^$()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${body}$`);
}

/**
 * `.Files`: the chart's files besides Chart.yaml, values.yaml and templates, a map (`.Files.name` reads
 * one as bytes) with Helm's methods.
 */
export class Files {
  constructor(files: Record<string, string>) {
    for (const [path, text] of Object.entries(files))
      Object.defineProperty(this, path, { value: new TextEncoder().encode(text), enumerable: true });
  }

  private entries(): [string, string][] {
    const decoder = new TextDecoder();
    return Object.entries(this as unknown as Record<string, Uint8Array>).map(([k, v]) => [
      k,
      decoder.decode(v),
    ]);
  }

  private text(name: unknown): string | undefined {
    const bytes = (this as unknown as Record<string, Uint8Array | undefined>)[String(name)];
    return Object.hasOwn(this, String(name)) && bytes ? new TextDecoder().decode(bytes) : undefined;
  }

  Get(name: unknown): string {
    return this.text(name) ?? "";
  }

  GetBytes(name: unknown): Uint8Array {
    return new TextEncoder().encode(this.Get(name));
  }

  Glob(pattern: unknown): Files {
    const match = globPattern(String(pattern));
    return new Files(Object.fromEntries(this.entries().filter(([path]) => match.test(path))));
  }

  /** The files as a ConfigMap's `data`: YAML keyed by base name. */
  AsConfig(): string {
    const entries = this.entries();
    return entries.length ? toYaml(Object.fromEntries(entries.map(([p, t]) => [basename(p), t]))) : "";
  }

  /** The files as a Secret's `data`: YAML keyed by base name, base64-encoded. */
  AsSecrets(): string {
    const entries = this.entries();
    return entries.length
      ? toYaml(Object.fromEntries(entries.map(([p, t]) => [basename(p), Buffer.from(t).toString("base64")])))
      : "";
  }

  /** The file's lines, without a final empty one. */
  Lines(name: unknown): string[] {
    const text = this.text(name);
    if (text === undefined || text === "") return [];
    return (text.endsWith("\n") ? text.slice(0, -1) : text).split("\n");
  }
}
