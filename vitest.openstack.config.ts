import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/**
 * `npm run test:openstack`: the suites that run against the real OpenStack
 * lab (`*.lab.test.ts`), one file at a time — they share one small cloud —
 * with generous timeouts (a load balancer takes 15–25 s to become ACTIVE,
 * a boot from volume about 20 s). `npm test` leaves them out.
 */
export default defineConfig({
  resolve: { alias: { "@": fileURLToPath(new URL("./", import.meta.url)) } },
  test: {
    include: ["**/*.lab.test.ts"],
    exclude: ["node_modules/**", ".next/**", "e2e/**", ".data/**"],
    environment: "node",
    // The cluster suites keep the console's intent in a real (embedded) PostgreSQL, as npm test does.
    globalSetup: ["./db/testing/global-setup.ts"],
    pool: "forks",
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
