import { migrateDatabase } from "./client";

/** Brings the database of DATABASE_URL to the current schema: the step a deployment runs before the API. */
const url = process.env.DATABASE_URL;
if (!url) {
  process.stderr.write("DATABASE_URL is required\n");
  process.exit(1);
}
await migrateDatabase(url);
process.stdout.write("database migrated\n");
