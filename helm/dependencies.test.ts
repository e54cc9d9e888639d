import { describe, expect, it } from "vitest";
import type { Chart } from "./chart";
import { resolveDependencies } from "./dependencies";

const sub = (name: string, values: Record<string, unknown> = {}): Chart => ({ name, templates: {}, values });

function parent(dependencies: Record<string, unknown>[], values: Record<string, unknown> = {}): Chart {
  return {
    name: "top",
    templates: {},
    values,
    metadata: { dependencies },
    dependencies: [sub("db", { exports: { conn: { port: 5432 } }, settings: { user: "app" } }), sub("cache")],
  };
}

const names = (c: Chart) => (c.dependencies ?? []).map((d) => d.name);

describe("resolveDependencies", () => {
  it("drops a subchart whose condition is false, the first condition set deciding", () => {
    const chart = parent(
      [
        { name: "db", condition: "db.enabled,global.db" },
        { name: "cache", condition: "cache.enabled" },
      ],
      { db: { enabled: false }, global: { db: true } },
    );
    expect(names(resolveDependencies(chart, {}))).toEqual(["cache"]);
    expect(names(resolveDependencies(chart, { db: { enabled: true } }))).toEqual(["db", "cache"]);
  });

  it("switches off by tags only when none is true, and lets a condition override them", () => {
    const chart = parent([
      { name: "db", tags: ["backend", "storage"] },
      { name: "cache", tags: ["backend"], condition: "cache.enabled" },
    ]);
    expect(names(resolveDependencies(chart, { tags: { backend: false } }))).toEqual([]);
    expect(names(resolveDependencies(chart, { tags: { backend: false, storage: true } }))).toEqual(["db"]);
    expect(names(resolveDependencies(chart, { tags: { backend: false }, cache: { enabled: true } }))).toEqual(
      ["cache"],
    );
  });

  it("renders a chart once per alias", () => {
    const chart = parent([
      { name: "cache", alias: "sessions" },
      { name: "cache", alias: "pages", condition: "pages.enabled" },
    ]);
    expect(names(resolveDependencies(chart, {}))).toEqual(["db", "sessions", "pages"]);
    expect(names(resolveDependencies(chart, { pages: { enabled: false } }))).toEqual(["db", "sessions"]);
  });

  it("imports exports and child tables under the parent's own values", () => {
    const chart = parent(
      [{ name: "db", "import-values": ["conn", { child: "settings", parent: "database.settings" }] }],
      { database: { settings: { user: "mine" } } },
    );
    const values = resolveDependencies(chart, {}).values ?? {};
    expect(values.port).toBe(5432);
    // the parent's own value wins over the imported one
    expect(values.database).toEqual({ settings: { user: "mine" } });
  });
});
