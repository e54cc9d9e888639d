import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../env";
import { adminAuth } from "./auth";
import { clustersApp } from "./clusters";
import { releasesApp } from "./releases";

/** The `/v1` management API: admin-only, JSON, documented at `/v1/openapi.json`. */
export function managementApp() {
  const app = new OpenAPIHono<AppEnv>();
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: { title: "Timonier management API", version: "1.0.0" },
    security: [{ bearer: [] }],
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer" });
  app.use("/clusters/*", adminAuth());
  app.use("/clusters", adminAuth());
  app.route("/", clustersApp);
  app.route("/", releasesApp);
  return app;
}
