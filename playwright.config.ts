import { defineConfig } from "@playwright/test";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "./e2e/chromium";
import { E2E_EMULATOR_ADMIN_KEY, E2E_EMULATOR_PORT, E2E_PORT } from "./e2e/env";

const PORT = E2E_PORT;

/**
 * End-to-end tests against the production build (`next build` first; `npm test`
 * does it), served by e2e/serve.ts with a throwaway embedded database.
 */
export default defineConfig({
  testDir: "e2e",
  testMatch: "**/*.e2e.ts",
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"], ["json", { outputFile: "test-results/e2e.json" }]],
  use: {
    baseURL: `http://localhost:${PORT}`,
    headless: true,
    launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS },
    viewport: { width: 1280, height: 800 },
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
  webServer: {
    command: "npx tsx e2e/serve.ts",
    url: `http://localhost:${PORT}/sign-in`,
    timeout: 180_000,
    reuseExistingServer: false,
    // SIGTERM lets the server stop its embedded PostgreSQL and remove its temp folder.
    gracefulShutdown: { signal: "SIGTERM", timeout: 15_000 },
    stdout: "pipe",
    stderr: "pipe",
    env: {
      E2E_PORT: String(PORT),
      E2E_EMULATOR_PORT: String(E2E_EMULATOR_PORT),
      E2E_EMULATOR_ADMIN_KEY,
      ...(process.env.E2E_EXTERNAL_CIDR ? { E2E_EXTERNAL_CIDR: process.env.E2E_EXTERNAL_CIDR } : {}),
    },
  },
});
