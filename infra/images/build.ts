import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, existsSync } from "node:fs";
import { chmod, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import type Docker from "dockerode";
import { ensureNetdImage } from "./netd";
import {
  BUSYBOX,
  CUSTOMIZE,
  DEBIAN_SUITE,
  IMAGES,
  type ImageConfig,
  NGINX_DEFAULT_CONF,
  NGINX_ENTRYPOINT,
  PACKAGES,
  REDIS_ENTRYPOINT,
} from "./recipe";
import { ensureWebsiteOperatorImage } from "./website-operator/image";

const run = promisify(execFile);
const RECIPE_LABEL = "io.timonier.recipe";
/** netd is built on the sandbox image: the same rootfs, always present once the images are. */
export const PAUSE_BASE = "timonier/pause:1";

function say(message: string): void {
  process.stderr.write(`timonier: ${message}\n`);
}

/** A digest of everything that shapes the images: a changed recipe rebuilds them. */
export function recipeVersion(): string {
  const recipe = JSON.stringify({
    DEBIAN_SUITE,
    BUSYBOX,
    PACKAGES,
    IMAGES,
    CUSTOMIZE,
    NGINX_DEFAULT_CONF,
    NGINX_ENTRYPOINT,
    REDIS_ENTRYPOINT,
  });
  return createHash("sha256").update(recipe).digest("hex").slice(0, 16);
}

/** Debian's mirror as apt on this machine knows it, so debootstrap uses the same source. */
async function debianMirror(): Promise<string> {
  for (const file of ["/etc/apt/sources.list.d/debian.sources", "/etc/apt/sources.list"]) {
    if (!existsSync(file)) continue;
    const text = await readFile(file, "utf8");
    const uri =
      /^URIs:\s*(\S+)/m.exec(text)?.[1] ?? /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+\S+\s+main/m.exec(text)?.[1];
    if (uri && !uri.includes("security")) return uri;
  }
  return "http://deb.debian.org/debian";
}

async function isCurrent(docker: Docker, tag: string, version: string): Promise<boolean> {
  try {
    const info = await docker.getImage(tag).inspect();
    return info.Config?.Labels?.[RECIPE_LABEL] === version;
  } catch {
    return false;
  }
}

/** Installs one package of another suite inside the rootfs, with apt reading that suite's index alone. */
async function installFromSuite(root: string, mirror: string, suite: string, pkg: string): Promise<void> {
  const list = "etc/apt/sources.list.d/timonier-extra.list";
  await writeFile(join(root, list), `deb ${mirror} ${suite} main\n`);
  const apt = [
    "-q",
    "-o",
    `Dir::Etc::SourceList=/${list}`,
    "-o",
    "Dir::Etc::SourceParts=-",
    "-o",
    "Acquire::Languages=none",
  ];
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  await run("chroot", [root, "apt-get", ...apt, "update"], { env, maxBuffer: 64 << 20 });
  await run("chroot", [root, "apt-get", ...apt, "install", "-y", "--no-install-recommends", pkg], {
    env,
    maxBuffer: 64 << 20,
  });
  await rm(join(root, list));
}

/** debootstrap + customisation, cached as a tarball keyed by the recipe version. */
async function rootfsTarball(dir: string, version: string): Promise<string> {
  const tarball = join(dir, `rootfs-${version}.tar`);
  if (existsSync(tarball)) return tarball;
  const root = join(dir, `rootfs-${version}`);
  await rm(root, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const started = Date.now();
  say(`building the offline images' Debian rootfs (debootstrap ${DEBIAN_SUITE})…`);
  const mirror = await debianMirror();
  await run(
    "debootstrap",
    ["--variant=minbase", `--include=${PACKAGES.join(",")}`, DEBIAN_SUITE, root, mirror],
    { maxBuffer: 256 << 20 },
  );
  await installFromSuite(root, mirror, BUSYBOX.suite, BUSYBOX.package);
  await writeFile(join(root, "etc/nginx/conf.d/default.conf"), NGINX_DEFAULT_CONF);
  await writeFile(join(root, "docker-entrypoint.sh"), NGINX_ENTRYPOINT);
  await chmod(join(root, "docker-entrypoint.sh"), 0o755);
  await writeFile(join(root, "usr/local/bin/redis-entrypoint.sh"), REDIS_ENTRYPOINT, { mode: 0o755 });
  await mkdir(join(root, "data"));
  await run("sh", ["-c", CUSTOMIZE], { cwd: root, maxBuffer: 64 << 20 });
  await run("tar", ["-C", root, "-cf", `${tarball}.part`, "."], { maxBuffer: 64 << 20 });
  await run("mv", [`${tarball}.part`, tarball]);
  await rm(root, { recursive: true, force: true });
  say(`rootfs built in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  return tarball;
}

async function follow(docker: Docker, stream: NodeJS.ReadableStream): Promise<void> {
  await new Promise<void>((ok, fail) =>
    docker.modem.followProgress(stream, (err) => (err ? fail(err) : ok())),
  );
}

function splitTag(tag: string): { repo: string; tag: string } {
  const i = tag.lastIndexOf(":");
  return { repo: tag.slice(0, i), tag: tag.slice(i + 1) };
}

/** Commits one image config on top of the rootfs: the container's config becomes the image's. */
async function commitImage(docker: Docker, base: string, image: ImageConfig, version: string): Promise<void> {
  const container = await docker.createContainer({
    Image: base,
    Cmd: image.cmd,
    ...(image.entrypoint ? { Entrypoint: image.entrypoint } : {}),
    Env: image.env ?? [],
    ...(image.exposedPorts
      ? { ExposedPorts: Object.fromEntries(image.exposedPorts.map((p) => [p, {}])) }
      : {}),
    ...(image.stopSignal ? { StopSignal: image.stopSignal } : {}),
    ...(image.workingDir ? { WorkingDir: image.workingDir } : {}),
    Labels: { [RECIPE_LABEL]: version },
  });
  try {
    const [first, ...aliases] = image.tags;
    if (!first) return;
    await container.commit(splitTag(first));
    for (const alias of aliases) await docker.getImage(first).tag(splitTag(alias));
  } finally {
    await container.remove({ force: true });
  }
}

/** Older recipes' rootfs images: their layers are no longer used by any tag. */
async function removeOlderRootfs(docker: Docker, keep: string): Promise<void> {
  const images = await docker.listImages({ filters: { reference: ["timonier/rootfs"] } });
  for (const image of images) {
    if (image.RepoTags?.includes(keep)) continue;
    await docker
      .getImage(image.Id)
      .remove({ force: true })
      .catch(() => undefined);
  }
}

/** The images of programs from this repository, on the rootfs's nodejs. */
async function ensureProgramImages(docker: Docker, version: string): Promise<void> {
  await ensureNetdImage(docker, PAUSE_BASE, version);
  await ensureWebsiteOperatorImage(docker, PAUSE_BASE, version);
}

/**
 * Makes the images that examples and tests use exist locally, built from Debian packages and never
 * pulled: `timonier/pause:1`, busybox, alpine, nginx (serving /usr/share/nginx/html on 80, logging to
 * stdout), perl, netd and the catalog's website operator. All share one rootfs: busybox's applets answer
 * wherever Debian has no command of that name (wget, nslookup, ping, ifconfig…), so `sh` is dash and
 * alpine has no apk. A no-op when every tag already carries the current recipe version.
 */
export async function ensureImages(options: { docker: Docker; dataDir: string }): Promise<void> {
  const { docker } = options;
  const version = recipeVersion();
  const tags = IMAGES.flatMap((i) => i.tags);
  const current = await Promise.all(tags.map((t) => isCurrent(docker, t, version)));
  if (current.every(Boolean)) {
    await ensureProgramImages(docker, version);
    return;
  }
  const started = Date.now();
  const tarball = await rootfsTarball(join(options.dataDir, "images"), version);
  const base = `timonier/rootfs:${version}`;
  say("importing the rootfs into Docker…");
  await follow(docker, await docker.importImage(createReadStream(tarball) as never, splitTag(base)));
  for (const image of IMAGES) await commitImage(docker, base, image, version);
  await removeOlderRootfs(docker, base);
  await ensureProgramImages(docker, version);
  say(`images ready in ${((Date.now() - started) / 1000).toFixed(1)}s: ${tags.join(", ")}`);
}
