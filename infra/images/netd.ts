import { fileURLToPath } from "node:url";
import type Docker from "dockerode";
import { NETD_IMAGE } from "../../workers/node-agent/helpers";
import { ensureBundledImage } from "./bundled";

/** `timonier/netd`: the images' rootfs (its nodejs and iproute2) plus netd, configured by /etc/timonier/netd.json. */
export function ensureNetdImage(docker: Docker, base: string, baseVersion: string): Promise<void> {
  return ensureBundledImage(docker, base, baseVersion, {
    tag: NETD_IMAGE,
    entry: fileURLToPath(new URL("../../workers/netd/main.ts", import.meta.url)),
    script: "opt/timonier/netd.js",
    cmd: ["/etc/timonier/netd.json"],
    dirs: ["etc/timonier"],
  });
}
