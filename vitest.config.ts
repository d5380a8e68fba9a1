import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "@": fileURLToPath(new URL("./", import.meta.url)) } },
  test: {
    include: ["**/*.test.ts"],
    // *.lab.test.ts need the real OpenStack lab: `npm run test:openstack` (vitest.openstack.config.ts).
    exclude: ["node_modules/**", ".next/**", "e2e/**", ".data/**", "**/*.lab.test.ts"],
    environment: "node",
    globalSetup: ["./db/testing/global-setup.ts"],
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
