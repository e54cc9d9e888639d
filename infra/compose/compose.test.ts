import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadConfig } from "../../core/config";

interface Service {
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, unknown>;
  volumes?: string[];
}

/** Compose's interpolation: `${VAR}`, `${VAR:-default}`, `${VAR:?error}` from the given variables; `$$` is `$`. */
function interpolate(text: string, vars: Record<string, string>): string {
  return text.replace(
    /\$\$|\$\{(\w+)(?::([-?])([^}]*))?\}/g,
    (m, name?: string, op?: string, arg?: string) => {
      if (m === "$$" || !name) return "$";
      const value = vars[name];
      if (value) return value;
      if (op === "?") throw new Error(`${name}: ${arg}`);
      return op === "-" ? (arg ?? "") : "";
    },
  );
}

const text = readFileSync(new URL("compose.yaml", import.meta.url), "utf8");
/** The services as Compose runs them: an empty `VAR:` reaches the container as an empty string. */
function compose(vars: Record<string, string>): { services: Record<string, Service> } {
  return parse(interpolate(text, vars), (_key, value) => (value === null ? "" : value), { merge: true });
}
const root = new URL("../../", import.meta.url);

const SECRETS = {
  TIMONIER_ADMIN_TOKEN: "a-token-of-at-least-16-chars",
  POSTGRES_PASSWORD: "superuser-secret",
  TIMONIER_DB_PASSWORD: "platform-secret",
  REDIS_PASSWORD: "redis-secret",
};

describe("the Docker Compose file", () => {
  const { services } = compose(SECRETS);

  it.each(Object.keys(SECRETS))("refuses to start without %s", (name) => {
    expect(() => compose({ ...SECRETS, [name]: "" })).toThrow(name);
  });

  it("runs the platform as its own Postgres role, not the superuser, and Redis with a password", () => {
    expect(services.postgres?.environment?.POSTGRES_USER).toBe("postgres");
    expect(services.postgres?.volumes).toContain(
      "./postgres-init.sh:/docker-entrypoint-initdb.d/10-timonier.sh:ro",
    );
    const init = readFileSync(new URL("postgres-init.sh", import.meta.url), "utf8");
    expect(init).toMatch(/create role timonier login nosuperuser nocreatedb nocreaterole/);
    expect(init).toMatch(/create database timonier owner timonier/);
    expect(services.redis?.command?.join(" ")).toContain("requirepass $REDIS_PASSWORD");
    for (const name of ["api", "controllers", "node-agent", "migrate"]) {
      const environment = services[name]?.environment ?? {};
      const database = new URL(environment.DATABASE_URL ?? "");
      expect([database.username, database.password], name).toEqual(["timonier", "platform-secret"]);
      if (name !== "migrate")
        expect(new URL(environment.REDIS_URL ?? "").password, name).toBe("redis-secret");
    }
  });

  it.each(["api", "controllers", "node-agent"])("gives %s a configuration the platform accepts", (name) => {
    const environment = services[name]?.environment ?? {};
    const config = loadConfig(environment);
    expect(config.adminToken).toBe("a-token-of-at-least-16-chars");
    expect(services[name]?.depends_on).toHaveProperty("migrate");
  });

  it("runs entry points that exist, the migration first", () => {
    for (const service of Object.values(services))
      for (const arg of service.command ?? [])
        if (arg.endsWith(".ts")) expect(existsSync(new URL(arg, root)), arg).toBe(true);
    expect(services.migrate?.command).toEqual(["node", "--enable-source-maps", "dist/migrate.mjs"]);
  });

  it("lets the API reach the node agent it registers", () => {
    const agent = loadConfig(services["node-agent"]?.environment ?? {});
    expect(agent.agentUrl).toBe("http://host.docker.internal:10250");
    expect(agent.agentPort).toBe(10250);
    expect(services.controllers?.environment?.TIMONIER_NODE_AGENT).toBe("false");
  });
});
