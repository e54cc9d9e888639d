import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../env";
import { managementAuth } from "./auth";
import { catalogApp } from "./catalog";
import { clustersApp } from "./clusters";
import { nodesApp } from "./nodes";
import { pageApp } from "./page";
import { releasesApp } from "./releases";
import { tenantsApp } from "./tenants";

/**
 * The `/v1` management API: JSON, documented at `/v1/openapi.json`, for the platform admin (everything) and
 * teachers (their own class: api/management/scope.ts).
 */
export function managementApp() {
  const app = new OpenAPIHono<AppEnv>();
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: { title: "Timonier management API", version: "1.0.0" },
    security: [{ bearer: [] }],
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
    description:
      "The platform admin token, or a class's teacher token (tmt_…), which reaches that class only. A cluster's token is refused here.",
  });
  // the teacher's page takes a sign-in cookie as well as a bearer header: its routes come before the
  // bearer-only middleware, and answer without reaching it
  app.route("/", pageApp);
  for (const path of ["/catalog", "/clusters", "/clusters/*", "/tenants", "/tenants/*", "/nodes", "/nodes/*"])
    app.use(path, managementAuth());
  app.route("/", catalogApp);
  app.route("/", clustersApp);
  app.route("/", releasesApp);
  app.route("/", tenantsApp);
  app.route("/", nodesApp);
  return app;
}
