import { kubeErrors } from "../../core/k8s/errors";
import type { KubeObject } from "../../core/k8s/types";

export interface Page {
  items: KubeObject[];
  /** Set when more items follow: pass it back as `continue`. */
  continue?: string;
  remainingItemCount?: number;
}

function position(o: KubeObject): string {
  return `${o.metadata.namespace ?? ""}/${o.metadata.name ?? ""}`;
}

/**
 * `limit`/`continue` chunking over a list sorted by namespace and name. The token names the last item
 * served; later pages read the current state (kube-apiserver would serve the original snapshot).
 */
export function paginate(items: KubeObject[], limit: string | undefined, token: string | undefined): Page {
  let start = 0;
  if (token) {
    let after: string;
    try {
      after = (JSON.parse(Buffer.from(token, "base64url").toString()) as { after: string }).after;
    } catch {
      throw kubeErrors.badRequest("continue key is not valid: illegal base64 data");
    }
    start = items.findIndex((o) => position(o) > after);
    if (start < 0) start = items.length;
  }
  const n = Number(limit);
  if (!limit || !Number.isInteger(n) || n <= 0 || start + n >= items.length)
    return { items: items.slice(start) };
  const page = items.slice(start, start + n);
  const last = page[page.length - 1] as KubeObject;
  return {
    items: page,
    continue: Buffer.from(JSON.stringify({ after: position(last) })).toString("base64url"),
    remainingItemCount: items.length - start - n,
  };
}
