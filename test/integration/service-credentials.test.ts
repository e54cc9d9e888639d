import { Redis } from "ioredis";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";

// Defence in depth: whoever reaches the services' ports (say through a proxy bug) still needs their
// passwords, and the platform's own credentials cannot run commands on the host.

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the suites with npm test`);
  return value;
}

const databaseUrl = new URL(requireEnv("DATABASE_URL"));
const redisUrl = new URL(requireEnv("REDIS_URL"));

/** The error Postgres answers a connection with, or undefined when it lets it in. */
async function refusal(user: string, password: string | undefined): Promise<{ code?: string } | undefined> {
  const sql = postgres({
    host: databaseUrl.hostname,
    port: Number(databaseUrl.port || 5432),
    user,
    password,
    database: "postgres",
    max: 1,
    connect_timeout: 5,
    onnotice: () => {},
  });
  try {
    await sql`select 1`;
    return undefined;
  } catch (err) {
    return err as { code?: string };
  } finally {
    await sql.end();
  }
}

describe("Postgres", () => {
  const sql = postgres(databaseUrl.toString(), { max: 1, onnotice: () => {} });
  afterAll(() => sql.end());

  it("refuses the superuser without a password and the platform's role with a wrong one", async () => {
    expect(await refusal("postgres", undefined)).toMatchObject({ code: "28P01" });
    expect(await refusal(decodeURIComponent(databaseUrl.username), "not-the-password")).toMatchObject({
      code: "28P01",
    });
  });

  it("lets the platform in as a role that is no superuser and cannot run programs", async () => {
    const [role] = await sql<
      { rolsuper: boolean }[]
    >`select rolsuper from pg_roles where rolname = current_user`;
    expect(role?.rolsuper).toBe(false);
    // 42501 insufficient_privilege: COPY … PROGRAM needs a superuser or pg_execute_server_program
    await expect(sql`copy (select 1) to program 'true'`).rejects.toMatchObject({ code: "42501" });
  });
});

describe("Redis", () => {
  it("answers nothing without the password (NOAUTH) and everything with it", async () => {
    const anonymous = new Redis({
      host: redisUrl.hostname,
      port: Number(redisUrl.port || 6379),
      lazyConnect: true,
      enableReadyCheck: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    // ioredis reports the server's refusal as an error event and rejects with "Connection is closed."
    const errors: Error[] = [];
    anonymous.on("error", (err: Error) => errors.push(err));
    const answer = await anonymous
      .connect()
      .then(() => anonymous.ping())
      .catch((err: Error) => err);
    anonymous.disconnect();
    expect(answer).toBeInstanceOf(Error);
    expect([answer, ...errors].map((e) => String((e as Error).message)).join("\n")).toMatch(/NOAUTH/);

    const platform = new Redis(redisUrl.toString(), { lazyConnect: true, maxRetriesPerRequest: 0 });
    try {
      await platform.connect();
      expect(await platform.ping()).toBe("PONG");
    } finally {
      platform.disconnect();
    }
  });
});
