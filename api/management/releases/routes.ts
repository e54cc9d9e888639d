import { createRoute, z } from "@hono/zod-openapi";
import { ClusterName, ErrorSchema } from "../clusters/routes";

export const ChartSchema = z
  .object({
    files: z.record(z.string(), z.string()).optional().openapi({
      description:
        "The chart's files by path relative to the chart directory (Chart.yaml, values.yaml, templates/…, charts/…); packaged subcharts (charts/*.tgz) base64-encoded",
    }),
    archive: z.string().optional().openapi({ description: "A packaged chart (.tgz), base64" }),
    catalog: z
      .string()
      .optional()
      .openapi({ description: "A chart of the built-in catalog: web, batch", example: "web" }),
  })
  .refine((c) => [c.files, c.archive, c.catalog].filter((x) => x !== undefined).length === 1, {
    message: "give exactly one of files, archive or catalog",
  })
  .openapi("Chart");

const ValuesFields = {
  values: z
    .record(z.string(), z.unknown())
    .optional()
    .openapi({ description: "Values, as a values file would give them" }),
  set: z.array(z.string()).optional().openapi({
    description:
      "`--set` assignments, applied after values: `a.b=c`, several per item comma-separated, `list[0]=x`, `list={x,y}`; true, false, null and integers typed",
  }),
  setString: z
    .array(z.string())
    .optional()
    .openapi({ description: "`--set-string` assignments: as `set`, every value a string; applied last" }),
};

export const InstallSchema = z
  .object({
    name: ClusterName.openapi({ example: "web" }),
    namespace: z.string().default("default"),
    chart: ChartSchema,
    ...ValuesFields,
  })
  .openapi("InstallRelease");

export const UpgradeSchema = z.object({ chart: ChartSchema, ...ValuesFields }).openapi("UpgradeRelease");
export const RollbackSchema = z.object({ revision: z.number().int().min(1) }).openapi("RollbackRelease");

export const ReleaseSchema = z
  .object({
    name: z.string(),
    namespace: z.string(),
    revision: z.number().int(),
    status: z.string().openapi({
      description:
        "Helm's status: deployed, superseded, failed, uninstalled; pending-install, pending-upgrade, pending-rollback or uninstalling while the revision's hooks run off the request (poll `GET …/releases/{name}`, which turns deployed, or failed with the reason in `description`)",
      example: "deployed",
    }),
    chart: z.string().openapi({ example: "hello-world-0.1.0" }),
    appVersion: z.string(),
    updated: z.string(),
    description: z.string(),
    notes: z.string(),
    values: z
      .record(z.string(), z.unknown())
      .openapi({ description: "The user-supplied values of this revision" }),
    manifest: z.string(),
  })
  .openapi("Release");

const Params = z.object({
  id: z.string().openapi({ param: { name: "id", in: "path" } }),
});
const NamedParams = Params.extend({ name: z.string().openapi({ param: { name: "name", in: "path" } }) });
const NamespaceQuery = z.object({
  namespace: z
    .string()
    .default("default")
    .openapi({ param: { name: "namespace", in: "query" } }),
});

const json = (schema: z.ZodTypeAny, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
const errors = {
  400: json(ErrorSchema, "Invalid request"),
  401: json(ErrorSchema, "Missing token"),
  403: json(ErrorSchema, "Token refused"),
  404: json(ErrorSchema, "No such cluster or release"),
} as const;
const failed = {
  422: json(ErrorSchema, "The chart did not render or apply; nothing of this revision is left"),
} as const;
const busy = {
  409: json(ErrorSchema, "Another operation (install/upgrade/rollback) on the release is in progress"),
} as const;
const HOOKED =
  "; with hooks for this event, the revision as pending-… at once, its hooks and objects going on off the request";

export const installRelease = createRoute({
  method: "post",
  path: "/clusters/{id}/releases",
  summary: "Install a chart as a release",
  request: {
    params: Params,
    body: { content: { "application/json": { schema: InstallSchema } }, required: true },
  },
  responses: {
    201: json(ReleaseSchema, `Installed${HOOKED}`),
    409: json(ErrorSchema, "Name in use"),
    ...failed,
    ...errors,
  },
});

export const listReleases = createRoute({
  method: "get",
  path: "/clusters/{id}/releases",
  summary: "The latest revision of every release",
  request: { params: Params },
  responses: { 200: json(z.object({ items: z.array(ReleaseSchema) }), "Releases"), ...errors },
});

export const getRelease = createRoute({
  method: "get",
  path: "/clusters/{id}/releases/{name}",
  summary: "A release's status, values, manifest and notes",
  request: { params: NamedParams, query: NamespaceQuery },
  responses: { 200: json(ReleaseSchema, "The release"), ...errors },
});

export const releaseHistory = createRoute({
  method: "get",
  path: "/clusters/{id}/releases/{name}/history",
  summary: "Every revision of a release",
  request: { params: NamedParams, query: NamespaceQuery },
  responses: { 200: json(z.object({ items: z.array(ReleaseSchema) }), "Revisions"), ...errors },
});

export const upgradeRelease = createRoute({
  method: "put",
  path: "/clusters/{id}/releases/{name}",
  summary: "Upgrade a release to a chart and values",
  request: {
    params: NamedParams,
    query: NamespaceQuery,
    body: { content: { "application/json": { schema: UpgradeSchema } }, required: true },
  },
  responses: { 200: json(ReleaseSchema, `Upgraded${HOOKED}`), ...busy, ...failed, ...errors },
});

export const rollbackRelease = createRoute({
  method: "post",
  path: "/clusters/{id}/releases/{name}/rollback",
  summary: "Roll a release back to a revision (as a new revision)",
  request: {
    params: NamedParams,
    query: NamespaceQuery,
    body: { content: { "application/json": { schema: RollbackSchema } }, required: true },
  },
  responses: { 200: json(ReleaseSchema, `Rolled back${HOOKED}`), ...busy, ...failed, ...errors },
});

export const uninstallRelease = createRoute({
  method: "delete",
  path: "/clusters/{id}/releases/{name}",
  summary: "Uninstall a release: its objects and its history",
  request: { params: NamedParams, query: NamespaceQuery },
  responses: {
    200: json(
      ReleaseSchema,
      "Uninstalled; with delete hooks, `uninstalling` at once, the release gone (404) once its hooks have run",
    ),
    ...errors,
  },
});
