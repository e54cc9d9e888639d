import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { createApp } from "../../api/app";
import { apiDeps } from "../../api/deps";
import type { ApiDeps } from "../../api/env";
import { loadConfig } from "../../core/config";
import { connect } from "../../db/client";
import { createTestDatabase, requireEnv } from "./database";

/** A PEM the kubeconfigs carry; nothing here serves TLS. */
export const TEST_CA = "-----BEGIN CERTIFICATE-----\nin-process test CA\n-----END CERTIFICATE-----\n";

export interface InProcessApi {
  app: ReturnType<typeof createApp>;
  deps: ApiDeps;
  adminToken: string;
  /** Calls the app in this process (`app.request`: no socket) with that bearer token, or none. */
  as(
    token: string | undefined,
  ): (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<Response>;
  close(): Promise<void>;
}

/**
 * The API's Hono app on a database of its own, wired as api/server.ts wires it, without a listening socket,
 * watch listener, activity flusher or workers: requests go through `app.request()`.
 */
export async function startInProcessApi(): Promise<InProcessApi> {
  const suffix = randomBytes(4).toString("hex");
  const database = await createTestDatabase(suffix);
  const adminToken = randomBytes(24).toString("hex");
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: database.url,
    REDIS_URL: requireEnv("REDIS_URL"),
    TIMONIER_ADMIN_TOKEN: adminToken,
  });
  const db = connect(config.databaseUrl, { max: 5 });
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  // the watch hub is never started: watches are the HTTP suites' business
  const deps = apiDeps(config, { db, redis, listener: db.$client, certificateAuthority: TEST_CA });
  const app = createApp(deps);
  return {
    app,
    deps,
    adminToken,
    as:
      (token) =>
      async (method, path, body, headers = {}) =>
        app.request(path, {
          method,
          headers: {
            ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
            "content-type": "application/json",
            ...headers,
          },
          ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
        }),
    async close() {
      redis.disconnect();
      await db.$client.end();
      await database.drop();
    },
  };
}
