import { gzipSync } from "node:zlib";
import { pack } from "tar-stream";

/** A gzipped tar of text files (the roster's `<student>.yaml` kubeconfigs), built in memory. */
export function gzippedTar(files: { name: string; content: string }[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const archive = pack();
    const chunks: Buffer[] = [];
    archive.on("data", (c: unknown) => chunks.push(c as Buffer));
    archive.on("end", () => resolve(gzipSync(Buffer.concat(chunks))));
    archive.on("error", reject);
    // kubeconfigs hold a credential: readable by their owner only once unpacked
    for (const f of files) archive.entry({ name: f.name, mode: 0o600, mtime: new Date() }, f.content);
    archive.finalize();
  });
}
