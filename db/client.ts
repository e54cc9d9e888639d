import { sql } from "drizzle-orm";
import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { projectPath } from "../core/paths";
import * as schema from "./schema";

export type Database = PostgresJsDatabase<typeof schema> & { $client: postgres.Sql };

/** Opens a pool; `max` bounds connections per process (N replicas share one Postgres). */
export function connect(url: string, options: { max?: number } = {}): Database {
  // a Postgres that does not answer fails a request in seconds rather than holding it (the default is 30 s)
  const client = postgres(url, { max: options.max ?? 10, onnotice: () => {}, connect_timeout: 3 });
  return drizzle(client, { schema });
}

const UNREACHABLE = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "57P01", // admin_shutdown
  "57P03", // cannot_connect_now
]);

/** Whether an error (or the error it wraps) says the database could not be reached, rather than a bug. */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e)
    if (typeof e.code === "string" && UNREACHABLE.has(e.code)) return true;
  return false;
}

const MIGRATIONS = projectPath("db", "migrations");
const MIGRATION_LOCK = 7261;

/** Applies committed migrations; a session advisory lock lets many replicas start at once. */
export async function migrateDatabase(url: string): Promise<void> {
  const client = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await client`select pg_advisory_lock(${MIGRATION_LOCK})`;
    await migrate(drizzle(client, { schema }), { migrationsFolder: MIGRATIONS });
    await client`select pg_advisory_unlock(${MIGRATION_LOCK})`;
  } finally {
    await client.end();
  }
}

export async function ping(db: Database): Promise<void> {
  await db.execute(sql`select 1`);
}
