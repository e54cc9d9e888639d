import { createHash } from "node:crypto";
import { dirname } from "node:path";
import type Docker from "dockerode";
import { build } from "esbuild";
import { tarOf } from "../../workers/node-agent/archive";

const RECIPE_LABEL = "io.timonier.recipe";

/** A program of this repository run by the images' Debian nodejs as one bundled script (no node_modules). */
export interface BundledImage {
  tag: string;
  /** The program's entry module, an absolute path. */
  entry: string;
  /** Where the script lands in the image, without the leading slash. */
  script: string;
  cmd?: string[];
  /** Empty directories the program expects (e.g. where its configuration is mounted). */
  dirs?: string[];
}

async function bundle(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    target: "node18",
    format: "cjs",
    write: false,
    minify: false,
    legalComments: "none",
  });
  return result.outputFiles[0]?.text ?? "";
}

/**
 * `image.tag`: the images' Debian rootfs `base` (its nodejs) plus the program bundled from this repository.
 * Rebuilt when the rootfs recipe or the program's code changes; a no-op otherwise.
 */
export async function ensureBundledImage(
  docker: Docker,
  base: string,
  baseVersion: string,
  image: BundledImage,
): Promise<void> {
  const script = await bundle(image.entry);
  const version = createHash("sha256").update(baseVersion).update(script).digest("hex").slice(0, 16);
  try {
    const info = await docker.getImage(image.tag).inspect();
    if (info.Config?.Labels?.[RECIPE_LABEL] === version) return;
  } catch {
    // not built yet
  }
  const container = await docker.createContainer({
    Image: base,
    Entrypoint: ["node", `/${image.script}`],
    Cmd: image.cmd ?? [],
    Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
    StopSignal: "SIGTERM",
    Labels: { [RECIPE_LABEL]: version },
  });
  const dirs = [...(image.dirs ?? []), dirname(image.script)];
  try {
    await container.putArchive(
      await tarOf([...dirs.map((name) => ({ name })), { name: image.script, content: script }]),
      { path: "/" },
    );
    const [repo, tag] = image.tag.split(":");
    await container.commit({ repo, tag });
  } finally {
    await container.remove({ force: true });
  }
}
