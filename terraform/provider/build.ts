import { chmod, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { build } from "esbuild";
import { protocolDescriptor } from "./src/protocol-descriptor";

export const PROVIDER_VERSION = "0.1.0";

/**
 * Bundles the provider, its dependencies and its .proto files into one executable file
 * `<dir>/terraform-provider-timonier` run by node, so it starts fast and can be copied into a mirror.
 */
export async function buildProvider(dir: string, fileName = "terraform-provider-timonier"): Promise<string> {
  const outfile = join(dir, fileName);
  await mkdir(dir, { recursive: true });
  await build({
    entryPoints: [join(import.meta.dirname, "src/main.ts")],
    outfile,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    banner: { js: "#!/usr/bin/env node" },
    define: { TIMONIER_PROVIDER_PROTOCOL: JSON.stringify(protocolDescriptor()) },
    minify: true,
    logLevel: "warning",
  });
  await chmod(outfile, 0o755);
  return outfile;
}

const [mode, target] = process.argv.slice(2);
if (mode === "--dir" && target) {
  console.log(await buildProvider(target));
} else if (mode === "--mirror" && target) {
  const platform = `${process.platform}_${process.arch === "x64" ? "amd64" : process.arch}`;
  const dir = join(target, "registry.terraform.io/timonier/timonier", PROVIDER_VERSION, platform);
  console.log(await buildProvider(dir, `terraform-provider-timonier_v${PROVIDER_VERSION}`));
} else if (import.meta.filename === process.argv[1]) {
  console.error("usage: tsx terraform/provider/build.ts --dir DIR | --mirror DIR");
  process.exit(1);
}
