import { untar } from "../../helm/archive";

/** The text files of a gzipped tar (a roster's kubeconfigs), by path. */
export async function untarText(gz: ArrayBuffer): Promise<Record<string, string>> {
  const files = await untar(new Uint8Array(gz));
  return Object.fromEntries(Object.entries(files).map(([path, data]) => [path, data.toString()]));
}
