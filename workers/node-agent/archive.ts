import { pack } from "tar-stream";

export interface ArchiveEntry {
  name: string;
  /** Absent for a directory. */
  content?: string;
  mode?: number;
}

/** A tar archive in memory, what the Docker API takes to put files into a container. */
export function tarOf(entries: ArchiveEntry[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const archive = pack();
    const chunks: Buffer[] = [];
    archive.on("data", (c: unknown) => chunks.push(c as Buffer));
    archive.on("end", () => resolve(Buffer.concat(chunks)));
    archive.on("error", reject);
    for (const e of entries) {
      if (e.content === undefined) archive.entry({ name: e.name, type: "directory", mode: e.mode ?? 0o755 });
      else archive.entry({ name: e.name, mode: e.mode ?? 0o644 }, e.content);
    }
    archive.finalize();
  });
}
