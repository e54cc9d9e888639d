import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import type Docker from "dockerode";
import { build } from "esbuild";
import { tarOf } from "../../workers/node-agent/archive";
import { NETD_IMAGE } from "../../workers/node-agent/helpers";

const ENTRY = fileURLToPath(new URL("../../workers/netd/main.ts", import.meta.url));
const RECIPE_LABEL = "io.timonier.recipe";

/** netd as one script for the Debian nodejs of the images (no node_modules in the image). */
async function bundle(): Promise<string> {
  const result = await build({
    entryPoints: [ENTRY],
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
 * `timonier/netd:3`: the images' Debian rootfs (its nodejs and iproute2) plus netd bundled from this
 * repository. Rebuilt when the rootfs recipe or netd's code changes; a no-op otherwise.
 */
export async function ensureNetdImage(docker: Docker, base: string, baseVersion: string): Promise<void> {
  const script = await bundle();
  const version = createHash("sha256").update(baseVersion).update(script).digest("hex").slice(0, 16);
  try {
    const info = await docker.getImage(NETD_IMAGE).inspect();
    if (info.Config?.Labels?.[RECIPE_LABEL] === version) return;
  } catch {
    // not built yet
  }
  const container = await docker.createContainer({
    Image: base,
    Entrypoint: ["node", "/opt/timonier/netd.js"],
    Cmd: ["/etc/timonier/netd.json"],
    Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
    StopSignal: "SIGTERM",
    Labels: { [RECIPE_LABEL]: version },
  });
  try {
    await container.putArchive(
      await tarOf([
        { name: "etc/timonier" },
        { name: "opt/timonier" },
        { name: "opt/timonier/netd.js", content: script },
      ]),
      { path: "/" },
    );
    const [repo, tag] = NETD_IMAGE.split(":");
    await container.commit({ repo, tag });
  } finally {
    await container.remove({ force: true });
  }
}
