import postgres from "postgres";
import { migrateDatabase } from "../../db/client";

export interface TestDatabase {
  /** DATABASE_URL with this suite's database in place of the platform's. */
  url: string;
  drop(): Promise<void>;
}

export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the suites with npm test`);
  return value;
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

/** A migrated database of the suite's own on the Postgres that `npm test` started; `drop` removes it. */
export async function createTestDatabase(suffix: string): Promise<TestDatabase> {
  const baseUrl = requireEnv("DATABASE_URL");
  const name = `timonier_test_${suffix}`;
  const adminSql = postgres(baseUrl, { max: 1, onnotice: () => {} });
  await adminSql.unsafe(`create database ${name}`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  await migrateDatabase(url.toString());
  return {
    url: url.toString(),
    async drop() {
      await dropDatabase(adminSql, name);
      await adminSql.end();
    },
  };
}
