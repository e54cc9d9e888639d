import { isDeepStrictEqual } from "node:util";
import type { ObjectKey } from "../../core/objects";
import type { ObjectStore } from "../../db/store";

/** Writes a controller's status (and annotations) when they differ from the stored ones, to the same incarnation. */
export async function writeStatus(
  store: ObjectStore,
  k: ObjectKey,
  uid: string,
  status: unknown,
  annotate?: Record<string, string>,
) {
  await store.mutate(k, (obj) => {
    if (obj.metadata.uid !== uid) return undefined;
    const annotations = { ...obj.metadata.annotations, ...annotate };
    const same =
      isDeepStrictEqual(obj.status, status) && isDeepStrictEqual(obj.metadata.annotations ?? {}, annotations);
    if (same) return undefined;
    obj.status = status;
    if (annotate) obj.metadata.annotations = annotations;
    return obj;
  });
}
