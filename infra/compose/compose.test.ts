import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadConfig } from "../../core/config";

interface Service {
  command?: string[];
  extra_hosts?: string[];
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

/** Compose interpolates the values of the parsed file, so a variable holding JSON stays one string. */
function interpolateValues(value: unknown, vars: Record<string, string>): unknown {
  if (typeof value === "string") return interpolate(value, vars);
  if (Array.isArray(value)) return value.map((v) => interpolateValues(v, vars));
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateValues(v, vars)]));
  return value;
}

/** The services as Compose runs them: an empty `VAR:` reaches the container as an empty string. */
function compose(vars: Record<string, string>): { services: Record<string, Service> } {
  const parsed = parse(text, (_key, value) => (value === null ? "" : value), { merge: true });
  return interpolateValues(parsed, vars) as { services: Record<string, Service> };
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

  it("registers the Docker hosts TIMONIER_DOCKER_HOSTS lists when the API starts, their TLS material mounted where it and the agents read it", () => {
    const hosts = [
      {
        name: "node-2",
        dockerHost: "tcp://10.0.0.12:2376",
        certPath: "/etc/timonier/docker/node-2",
        address: "10.0.0.12",
      },
      {
        name: "node-3",
        dockerHost: "tcp://10.0.0.13:2376",
        certPath: "/etc/timonier/docker/node-3",
        address: "10.0.0.13",
        labels: { zone: "b" },
      },
    ];
    const listed = compose({ ...SECRETS, TIMONIER_DOCKER_HOSTS: JSON.stringify(hosts) }).services;
    expect(loadConfig(listed.api?.environment ?? {}).dockerHosts).toEqual(hosts);
    expect(loadConfig(services.api?.environment ?? {}).dockerHosts).toEqual([]);
    for (const name of ["api", "node-agent"]) {
      const mount = services[name]?.volumes?.find((v) => v.split(":")[1] === "/etc/timonier/docker");
      expect(mount, name).toBe("./docker-tls:/etc/timonier/docker:ro");
    }
    expect(existsSync(new URL("docker-tls/.gitignore", import.meta.url))).toBe(true);
    const elsewhere = compose({ ...SECRETS, TIMONIER_DOCKER_TLS: "/srv/timonier/docker-tls" }).services;
    expect(elsewhere.api?.volumes).toContain("/srv/timonier/docker-tls:/etc/timonier/docker:ro");
  });

  it("lets the API reach the registered nodes' agents in the node agent's process", () => {
    const agent = loadConfig(services["node-agent"]?.environment ?? {});
    expect(agent.nodeAgent).toBe(true);
    expect(agent.agentAdvertiseHost).toBe("host.docker.internal");
    expect(services.api?.extra_hosts).toContain("host.docker.internal:host-gateway");
  });
});
