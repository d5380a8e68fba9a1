import { createCloud, type CloudOptions, type HttpLogEntry, type OpenStackCloud } from "@/server/openstack";
import { startEmulator, TestClock, type EmulatorOptions, type RunningEmulator } from "@/server/emulator";
import type { FaultRuleInput } from "@/server/emulator/faults";
import { emulatorAdmin } from "@/server/openstack/emulator-admin";

/**
 * A /24 of its own inside 127.100.0.0–127.199.255.0 for each test
 * emulator: floating IPs (and the emulated Kubernetes APIs on them) of
 * parallel test files never collide, nor with a dev server's 127.64/16.
 */
export function randomLoopbackCidr(): string {
  return `127.${100 + Math.floor(Math.random() * 100)}.${Math.floor(Math.random() * 256)}.0/24`;
}

/** An adapter client for the emulator's demo project, signed in with its application credential. */
export function demoCloud(emu: RunningEmulator, options?: CloudOptions): OpenStackCloud {
  return createCloud(
    {
      authUrl: emu.authUrl,
      interface: "public",
      auth: {
        type: "application_credential",
        id: emu.demo.appCredentialId,
        secret: emu.demo.appCredentialSecret,
      },
    },
    options,
  );
}

export interface TestCloud {
  emu: RunningEmulator;
  clock: TestClock;
  cloud: OpenStackCloud;
  log: HttpLogEntry[];
  sleeps: number[];
  /** Move emulated time forward. */
  advance(ms: number): void;
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  injectFault(rule: Partial<FaultRuleInput>): Promise<void>;
  stop(): Promise<void>;
}

/**
 * An emulator on a random loopback port with a test clock, and an adapter
 * client for its demo project. Backoff sleeps are recorded, not slept.
 */
export async function startTestCloud(
  opts: EmulatorOptions & { cloud?: CloudOptions; auth?: "password" | "application_credential" } = {},
): Promise<TestCloud> {
  const clock = new TestClock();
  const emu = await startEmulator({ clock, speed: 1, externalCidr: randomLoopbackCidr(), ...opts });
  const log: HttpLogEntry[] = [];
  const sleeps: number[] = [];
  const cloud = createCloud(
    {
      authUrl: emu.authUrl,
      interface: "public",
      region: "RegionOne",
      auth:
        opts.auth === "application_credential"
          ? {
              type: "application_credential",
              id: emu.demo.appCredentialId,
              secret: emu.demo.appCredentialSecret,
            }
          : {
              type: "password",
              username: emu.demo.userName,
              password: emu.demo.password,
              userDomainName: "Default",
              projectName: emu.demo.projectName,
              projectDomainName: "Default",
            },
    },
    {
      now: () => clock.now(),
      log: (e) => log.push(e),
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      random: () => 0.5,
      ...opts.cloud,
    },
  );
  const admin = emulatorAdmin({ url: emu.url, adminKey: emu.adminKey }).raw;
  return {
    emu,
    clock,
    cloud,
    log,
    sleeps,
    advance: (ms) => clock.advance(ms),
    admin,
    injectFault: async (rule) => {
      const r = await admin("POST", "/faults", rule);
      if (r.status !== 201) throw new Error(`fault rule refused: ${JSON.stringify(r.body)}`);
    },
    stop: async () => {
      cloud.close();
      await emu.stop();
    },
  };
}

/** Everything in the emulator that belongs to its demo project, by kind. */
export function projectResources(emu: RunningEmulator) {
  const s = emu.engine.state;
  const pid = emu.demo.projectId;
  const mine = <T extends { projectId: string }>(r: Record<string, T>) =>
    Object.values(r).filter((x) => x.projectId === pid);
  return {
    servers: mine(s.servers),
    volumes: mine(s.volumes),
    networks: mine(s.networks),
    subnets: mine(s.subnets),
    routers: mine(s.routers),
    ports: mine(s.ports),
    secGroups: mine(s.securityGroups),
    rules: mine(s.securityGroupRules),
    serverGroups: mine(s.serverGroups),
    lbs: mine(s.loadBalancers),
    listeners: mine(s.listeners),
    pools: mine(s.pools),
    members: mine(s.members),
    hms: mine(s.healthMonitors),
    fips: mine(s.floatingIps),
  };
}
