/** Settings shared by the E2E server (playwright.config.ts → e2e/serve.ts) and the tests. */
export const E2E_PORT = Number(process.env.E2E_PORT ?? 3100);
export const E2E_EMULATOR_PORT = Number(process.env.E2E_EMULATOR_PORT ?? 18780);
/** The tests drive the emulator's admin API (quotas, faults) with this key. */
export const E2E_EMULATOR_ADMIN_KEY =
  process.env.E2E_EMULATOR_ADMIN_KEY ?? "e2e-emulator-admin-key-not-a-secret";
