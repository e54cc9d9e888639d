import { pack } from "tar-stream";

export interface ArchiveEntry {
  name: string;
  /** Absent for a directory. */
  content?: string;
  mode?: number;
  /** The owning group; root's when absent. */
  gid?: number;
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
      const gid = e.gid ?? 0;
      if (e.content === undefined)
        archive.entry({ name: e.name, type: "directory", mode: e.mode ?? 0o755, gid });
      else archive.entry({ name: e.name, mode: e.mode ?? 0o644, gid }, e.content);
    }
    archive.finalize();
  });
}
