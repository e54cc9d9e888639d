import { Readable } from "node:stream";
import { gunzipSync } from "node:zlib";
import { extract } from "tar-stream";

/** A chart packaged as `helm package` makes it (`<name>/…` in a .tgz): its files, the top folder stripped. */
export async function filesOfArchive(base64: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  const tar = extract();
  const done = new Promise<void>((resolve, reject) => {
    tar.on("entry", (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on("data", (c: unknown) => chunks.push(c as Buffer));
      stream.on("end", () => {
        const path = header.name.split("/").slice(1).join("/");
        if (header.type === "file" && path) files[path] = Buffer.concat(chunks).toString("utf8");
        next();
      });
      stream.resume();
    });
    tar.on("finish", resolve);
    tar.on("error", reject);
  });
  Readable.from(gunzipSync(Buffer.from(base64, "base64"))).pipe(tar);
  await done;
  return files;
}
