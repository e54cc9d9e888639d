import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { migrateDatabase } from "../../db/client";

export interface TestDatabase {
  /** A migrated database of its own on the shared Postgres. */
  url: string;
  drop(): Promise<void>;
}

/**
 * Drops a suite's database. The platform's role is no superuser, so WITH (FORCE) cannot end an autovacuum
 * worker that has just started on it: wait for that to finish, as it soon does, rather than fail the suite.
 */
async function dropDatabase(sql: postgres.Sql, name: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await sql.unsafe(`drop database if exists ${name} with (force)`);
      return;
    } catch (err) {
      if (attempt >= 20) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the suites with npm test`);
  return value;
}

/** A fresh, migrated database named `timonier_test_<suffix>` on the Postgres `npm test` started (or `baseUrl`'s). */
export async function createTestDatabase(
  suffix = randomBytes(4).toString("hex"),
  baseUrl = requireEnv("DATABASE_URL"),
): Promise<TestDatabase> {
  const dbName = `timonier_test_${suffix}`;
  const adminSql = postgres(baseUrl, { max: 1, onnotice: () => {} });
  await adminSql.unsafe(`create database ${dbName}`);
  const url = new URL(baseUrl);
  url.pathname = `/${dbName}`;
  await migrateDatabase(url.toString());
  return {
    url: url.toString(),
    async drop() {
      await dropDatabase(adminSql, dbName);
      await adminSql.end();
    },
  };
}
