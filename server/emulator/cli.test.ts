import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "./index";
import { randomLoopbackCidr } from "@/server/testing/cloud";

/** Its own /24 of loopback (never the dev server's 127.64/16): floating IPs come from it. */
const externalCidr = randomLoopbackCidr();

const run = promisify(execFile);
const CLI = "/usr/bin/openstack";

/**
 * The standard `openstack` client (Debian's python3-openstackclient and
 * python3-octaviaclient, installed by .ci/run) against the emulator, for
 * every resource kind the console uses.
 */
describe.skipIf(!existsSync(CLI))("openstack CLI against the emulator", () => {
  let emu: RunningEmulator;
  let env: Record<string, string>;
  beforeAll(async () => {
    emu = await startEmulator({ speed: Number.POSITIVE_INFINITY, externalCidr });
    env = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: process.env.HOME ?? "/tmp",
      OS_AUTH_URL: emu.authUrl,
      OS_IDENTITY_API_VERSION: "3",
      OS_AUTH_TYPE: "v3applicationcredential",
      OS_APPLICATION_CREDENTIAL_ID: emu.demo.appCredentialId,
      OS_APPLICATION_CREDENTIAL_SECRET: emu.demo.appCredentialSecret,
      OS_REGION_NAME: "RegionOne",
    };
  });
  afterAll(() => emu.stop());

  // A clean environment: only the variables the CLI needs (no OS_* from the developer's shell).
  const exec = async (args: string[]) =>
    (await run(CLI, args, { env: env as NodeJS.ProcessEnv, timeout: 60_000 })).stdout.trim();
  const os = (...args: string[]) => exec([...args, "-f", "value"]);
  const osNoFormat = (...args: string[]) => exec(args);

  it("creates, lists and deletes every resource kind", { timeout: 180_000 }, async () => {
    // The CLI lists every service's zones; Cinder's have Nova's names in the default profile.
    expect(await os("availability", "zone", "list", "--compute", "-c", "Zone Name")).toBe(
      "ru-msk-a\nru-msk-b\nru-msk-c",
    );
    expect(await os("availability", "zone", "list", "--volume", "-c", "Zone Name")).toBe(
      "ru-msk-a\nru-msk-b\nru-msk-c",
    );
    expect(await os("network", "create", "cli-net", "-c", "status")).toBe("ACTIVE");
    expect(
      await os(
        "subnet",
        "create",
        "cli-subnet",
        "--network",
        "cli-net",
        "--subnet-range",
        "10.77.0.0/24",
        "-c",
        "gateway_ip",
      ),
    ).toBe("10.77.0.1");
    await os("router", "create", "cli-router", "-c", "id");
    await osNoFormat("router", "set", "cli-router", "--external-gateway", "ext-net");
    await osNoFormat("router", "add", "subnet", "cli-router", "cli-subnet");
    await osNoFormat("network", "set", "--tag", "cluster:cli", "cli-net");
    expect(await os("network", "list", "--tags", "cluster:cli", "-c", "Name")).toBe("cli-net");
    expect(await os("security", "group", "create", "cli-sg", "-c", "name")).toBe("cli-sg");
    expect(
      await os(
        "security",
        "group",
        "rule",
        "create",
        "cli-sg",
        "--protocol",
        "tcp",
        "--dst-port",
        "6443",
        "-c",
        "port_range_max",
      ),
    ).toBe("6443");
    await os("port", "create", "cli-port", "--network", "cli-net", "-c", "id");
    expect(
      await os("floating", "ip", "create", "ext-net", "--port", "cli-port", "-c", "floating_ip_address"),
    ).toMatch(new RegExp(`^${externalCidr.replace(/\.0\/24$/, ".").replaceAll(".", "\\.")}`));
    expect(
      await os("server", "group", "create", "--policy", "soft-anti-affinity", "cli-group", "-c", "policy"),
    ).toBe("soft-anti-affinity");
    await os(
      "server",
      "create",
      "--flavor",
      "STD2-2-4",
      "--image",
      "k8s-node-ubuntu-22.04-v1.33.2",
      "--port",
      "cli-port",
      "--availability-zone",
      "ru-msk-b",
      "cli-vm",
      "-c",
      "id",
    );
    expect(await os("server", "show", "cli-vm", "-c", "status")).toBe("ACTIVE");
    expect(
      await os(
        "volume",
        "create",
        "--size",
        "2",
        "--type",
        "high-iops",
        "--availability-zone",
        "ru-msk-b",
        "cli-vol",
        "-c",
        "type",
      ),
    ).toBe("high-iops");
    await osNoFormat("server", "add", "volume", "cli-vm", "cli-vol");
    expect(await os("volume", "show", "cli-vol", "-c", "status")).toBe("in-use");
    await osNoFormat("server", "stop", "cli-vm");
    expect(await os("server", "show", "cli-vm", "-c", "status")).toBe("SHUTOFF");
    expect(
      await os("loadbalancer", "create", "--name", "cli-lb", "--vip-subnet-id", "cli-subnet", "-c", "name"),
    ).toBe("cli-lb");
    expect(
      await os(
        "loadbalancer",
        "listener",
        "create",
        "--name",
        "l1",
        "--protocol",
        "TCP",
        "--protocol-port",
        "6443",
        "cli-lb",
        "-c",
        "protocol_port",
      ),
    ).toBe("6443");
    expect(await os("loadbalancer", "show", "cli-lb", "-c", "provisioning_status")).toBe("ACTIVE");
    expect(await os("quota", "show", "-c", "instances")).toBe("60");
    await osNoFormat("loadbalancer", "delete", "--cascade", "cli-lb");
    await osNoFormat("server", "remove", "volume", "cli-vm", "cli-vol");
    await osNoFormat("server", "delete", "cli-vm");
    await osNoFormat("volume", "delete", "cli-vol");
    expect(await os("server", "list", "-c", "Name")).toBe("");
    expect(await os("loadbalancer", "list", "-c", "name")).toBe("");
  });
});
