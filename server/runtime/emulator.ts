import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { startEmulator, type RunningEmulator } from "@/server/emulator";

export const DEFAULT_EMULATOR_PORT = 8780;
/** Dev default: a server boots in 6–12 s, a load balancer in 6–9 s. */
export const DEFAULT_EMULATOR_SPEED = 10;

/**
 * The built-in OpenStack emulator for local runs: state and admin key under
 * `<dataDir>/emulator`, so clouds survive restarts of `npm run dev`.
 */
export async function startLocalEmulator(
  dataDir: string,
  opts: { log?: (m: string) => void } = {},
): Promise<RunningEmulator> {
  const dir = path.join(dataDir, "emulator");
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const keyFile = path.join(dir, "admin.key");
  let adminKey: string;
  try {
    adminKey = (await fs.readFile(keyFile, "utf8")).trim();
  } catch {
    adminKey = randomBytes(24).toString("base64url");
    await fs.writeFile(keyFile, adminKey + "\n", { mode: 0o600 });
  }
  const port = Number.parseInt(process.env.EMULATOR_PORT ?? "", 10) || DEFAULT_EMULATOR_PORT;
  const speed = Number.parseFloat(process.env.EMULATOR_SPEED ?? "") || DEFAULT_EMULATOR_SPEED;
  try {
    return await startEmulator({
      port,
      speed,
      adminKey,
      stateFile: path.join(dir, "state.json"),
      log: opts.log,
      // Floating IPs (and the clusters' Kubernetes APIs on them) come from this loopback range.
      externalCidr: process.env.EMULATOR_EXTERNAL_CIDR || undefined,
      // EMULATOR_PROFILE=zed-lab: behave as the lab's Zed cloud (Cinder zone `nova`, admin-only amphorae).
      profile: process.env.EMULATOR_PROFILE === "zed-lab" ? "zed-lab" : "default",
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EADDRINUSE") {
      throw new Error(
        `Port ${port} is taken, so the built-in OpenStack emulator cannot start. Set EMULATOR_PORT to a free port, ` +
          `or point the console at a running emulator with EMULATOR_URL and EMULATOR_ADMIN_KEY.`,
      );
    }
    throw err;
  }
}
