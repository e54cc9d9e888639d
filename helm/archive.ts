import { Readable } from "node:stream";
import { gunzipSync } from "node:zlib";
import { extract } from "tar-stream";

/** A chart's files by chart-relative path; `charts/*.tgz` may still be packaged subcharts. */
export type ChartFiles = Record<string, string | Uint8Array>;

/** The regular files of a gzipped tar, by path. */
export async function untar(gzipped: Uint8Array): Promise<Record<string, Buffer>> {
  const entries: Record<string, Buffer> = {};
  const tar = extract();
  const done = new Promise<void>((resolve, reject) => {
    tar.on("entry", (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on("data", (c: unknown) => chunks.push(c as Buffer));
      stream.on("end", () => {
        if (header.type === "file") entries[header.name] = Buffer.concat(chunks);
        next();
      });
      stream.resume();
    });
    tar.on("finish", resolve);
    tar.on("error", reject);
  });
  Readable.from(gunzipSync(gzipped)).pipe(tar);
  await done;
  return entries;
}

/** A chart packaged as `helm package` makes it (`<name>/…` in a .tgz): its files, the top folder stripped. */
export async function filesOfArchive(gzipped: Uint8Array): Promise<Record<string, string>> {
  return (await unpack(gzipped)).files;
}

async function unpack(gzipped: Uint8Array): Promise<{ top: string; files: Record<string, string> }> {
  const files: ChartFiles = {};
  let top = "";
  for (const [name, bytes] of Object.entries(await untar(gzipped))) {
    const [first = "", ...rest] = name.split("/");
    top ||= first;
    const path = rest.join("/");
    if (path) files[path] = /^charts\/[^/]+\.tgz$/.test(path) ? bytes : bytes.toString("utf8");
  }
  return { top, files: await expandSubchartArchives(files) };
}

/**
 * The files with each packaged subchart (`charts/<name>-<version>.tgz`, as `helm dependency build` leaves
 * them) unpacked into `charts/<name>/`, where a chart directory's subcharts live.
 */
export async function expandSubchartArchives(files: ChartFiles): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [path, content] of Object.entries(files)) {
    const archive = /^((?:.+\/)?charts)\/[^/]+\.tgz$/.exec(path);
    if (!archive) {
      out[path] = typeof content === "string" ? content : Buffer.from(content).toString("utf8");
      continue;
    }
    const bytes = typeof content === "string" ? Buffer.from(content, "base64") : content;
    const sub = await unpack(bytes).catch((e: Error) => {
      throw new Error(`${path} is not a chart archive: ${e.message}`);
    });
    for (const [p, text] of Object.entries(sub.files)) out[`${archive[1]}/${sub.top}/${p}`] = text;
  }
  return out;
}
