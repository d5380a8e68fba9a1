import { defineConfig } from "drizzle-kit";

// `drizzle-kit generate` only diffs the schema against the committed snapshots,
// so it needs no database connection.
export default defineConfig({
  dialect: "postgresql",
  schema: "./db/schema/index.ts",
  out: "./db/migrations",
  strict: true,
  verbose: true,
});
