import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { catalogEntries } from "../../../core/charts/catalog";
import type { AppEnv } from "../../env";
import { ErrorSchema } from "../clusters/routes";

const CatalogChartSchema = z
  .object({
    name: z.string().openapi({ description: "The name a release's chart.catalog takes", example: "web" }),
    version: z.string().openapi({ example: "0.1.0" }),
    appVersion: z.string(),
    description: z.string(),
  })
  .openapi("CatalogChart");

const json = (schema: z.ZodTypeAny, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

export const listCatalog = createRoute({
  method: "get",
  path: "/catalog",
  summary: "The built-in charts any class may install, with their versions",
  responses: {
    200: json(z.object({ items: z.array(CatalogChartSchema) }), "The catalog"),
    401: json(ErrorSchema, "Missing token"),
    403: json(ErrorSchema, "Token refused"),
  },
});

/** The chart catalog, the same for every class: what `chart.catalog` may name in a release or a class's charts. */
export const catalogApp = new OpenAPIHono<AppEnv>().openapi(listCatalog, (c) =>
  c.json({ items: catalogEntries() }, 200),
);
