import type { DataSourceType } from "../resource";
import { conform } from "../schema";

interface CatalogChart {
  name: string;
  version: string;
  appVersion: string;
  description: string;
}

/** The charts of the platform's catalog, which any class may install by name. */
export const catalogDataSource: DataSourceType = {
  schema: {
    version: 0,
    description: "The charts of Timonier's catalog, which a release's chart names, with their versions.",
    attributes: {
      charts: {
        type: [
          "list",
          ["object", { name: "string", version: "string", app_version: "string", description: "string" }],
        ],
        computed: true,
        description: "Every catalog chart: name, version, app_version, description.",
      },
      versions: {
        type: ["map", "string"],
        computed: true,
        description: "Each catalog chart's version by name.",
      },
    },
  },
  async read(client) {
    const { items } = await client.request<{ items: CatalogChart[] }>("GET", "/v1/catalog");
    return conform(catalogDataSource.schema, {
      charts: items.map((c) => ({
        name: c.name,
        version: c.version,
        app_version: c.appVersion,
        description: c.description,
      })),
      versions: Object.fromEntries(items.map((c) => [c.name, c.version])),
    });
  },
};
