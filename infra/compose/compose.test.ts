import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadConfig } from "../../core/config";

interface Service {
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, unknown>;
}

/** Compose's interpolation: `${VAR}`, `${VAR:-default}` and `${VAR:?error}` from the given variables. */
function interpolate(text: string, vars: Record<string, string>): string {
  return text.replace(/\$\{(\w+)(?::([-?])([^}]*))?\}/g, (_m, name: string, op?: string, arg?: string) => {
    const value = vars[name];
    if (value) return value;
    if (op === "?") throw new Error(`${name}: ${arg}`);
    return op === "-" ? (arg ?? "") : "";
  });
}

const text = readFileSync(new URL("compose.yaml", import.meta.url), "utf8");
/** The services as Compose runs them: an empty `VAR:` reaches the container as an empty string. */
function compose(vars: Record<string, string>): { services: Record<string, Service> } {
  return parse(interpolate(text, vars), (_key, value) => (value === null ? "" : value), { merge: true });
}
const root = new URL("../../", import.meta.url);

describe("the Docker Compose file", () => {
  const { services } = compose({ TIMONIER_ADMIN_TOKEN: "a-token-of-at-least-16-chars" });

  it("refuses to start without an admin token", () => {
    expect(() => compose({})).toThrow("TIMONIER_ADMIN_TOKEN");
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
    expect(services.migrate?.command).toEqual(["npx", "tsx", "db/migrate.ts"]);
  });

  it("lets the API reach the node agent it registers", () => {
    const agent = loadConfig(services["node-agent"]?.environment ?? {});
    expect(agent.agentUrl).toBe("http://host.docker.internal:10250");
    expect(agent.agentPort).toBe(10250);
    expect(services.controllers?.environment?.TIMONIER_NODE_AGENT).toBe("false");
  });
});
