import type { Context } from "hono";
import type { ResourceType } from "../../core/k8s/resources";
import type { KubeObject } from "../../core/k8s/types";
import type { AppEnv } from "../env";
import { toTable } from "./printers";
import { customPrinter } from "./printers/custom";

/** kubectl asks for server-side printing with `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`. */
export function wantsTable(c: Context<AppEnv>): boolean {
  return /as=Table/.test(c.req.header("accept") ?? "");
}

export function tableFor(
  c: Context<AppEnv>,
  type: ResourceType,
  objects: KubeObject[],
  listMeta: { resourceVersion?: string | undefined; continue?: string },
) {
  const include = c.req.query("includeObject");
  return toTable(
    type.kind,
    objects,
    {
      now: c.var.deps.now(),
      includeObject: include === "None" || include === "Object" ? include : "Metadata",
      listMeta,
    },
    type.custom ? customPrinter(type.custom) : undefined,
  );
}
