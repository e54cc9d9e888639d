import { fileURLToPath } from "node:url";
import type Docker from "dockerode";
import { ensureBundledImage } from "../bundled";

/** The catalog's `website` chart runs this operator (client-node bundled, no node_modules in the image). */
export const WEBSITE_OPERATOR_IMAGE = "timonier/website-operator:1";

export function ensureWebsiteOperatorImage(docker: Docker, base: string, baseVersion: string): Promise<void> {
  return ensureBundledImage(docker, base, baseVersion, {
    tag: WEBSITE_OPERATOR_IMAGE,
    entry: fileURLToPath(new URL("./main.ts", import.meta.url)),
    script: "opt/website-operator/main.js",
  });
}
