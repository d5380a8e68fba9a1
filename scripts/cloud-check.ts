/**
 * `npm run cloud:check`: what the console would find in the operator's
 * OpenStack cloud (OS_CLOUD or OS_* variables, as the openstack CLI reads
 * them) with the operator's CONSOLE_CLOUD_CONFIG: zones, flavors, volume
 * types, node images, external networks, the services the console needs,
 * and what is missing. Reads only; creates nothing. Exit code 1 when a
 * cluster could not be created there.
 */
import { buildCatalog } from "@/server/domain/cloud-catalog";
import { createCloud, defaultCloudConfig } from "@/server/openstack";
import { readCloud } from "@/server/reconciler/catalog";
import { loadOperatorCloudConfig } from "@/server/runtime/operator-config";

const config = defaultCloudConfig();
if (!config) {
  console.error(
    "No cloud configured: set OS_CLOUD (clouds.yaml) or OS_AUTH_URL and friends, as for the openstack CLI.",
  );
  process.exit(2);
}
const operator = loadOperatorCloudConfig(process.env.CONSOLE_CLOUD_CONFIG);
const cloud = createCloud(config);
const line = (k: string, v: string) => console.log(`  ${k.padEnd(18)} ${v}`);
try {
  const raw = await readCloud(cloud);
  const c = buildCatalog(raw, operator, operator.prices ?? null, new Date());
  console.log(
    `\nCloud ${c.cloud.authUrl} (region ${c.cloud.region ?? "any"}), Keystone project ${c.cloud.projectId}\n`,
  );
  line("compute zones", c.computeZones.join(", ") || "NONE");
  line(
    "volume zones",
    `${c.volumeZones.join(", ") || "none"} → ${Object.entries(c.volumeZoneOf)
      .map(([z, v]) => `${z}:${v ?? "(Cinder chooses)"}`)
      .join(", ")}`,
  );
  line(
    "flavors",
    c.flavors
      .map(
        (f) =>
          `${f.name} (${f.vcpus} vCPU, ${f.ramMb / 1024} GB${f.gpus ? `, ${f.gpus} GPU` : ""}${f.pricePerHour === null ? ", no price" : ""})`,
      )
      .join("; ") || "NONE",
  );
  line(
    "volume types",
    c.volumeTypes.map((t) => `${t.name}${t.isDefault ? " (default)" : ""}`).join(", ") || "NONE",
  );
  line("etcd volumes", c.etcdVolumeType ?? "NONE");
  line("node disks", c.nodeDiskType ?? "Cinder's default");
  line(
    "node images",
    c.images.map((i) => `${i.kubernetesVersion} = ${i.name} (${i.matchedBy})`).join("; ") || "NONE",
  );
  line("external network", c.externalNetworks.find((n) => n.id === c.externalNetworkId)?.name ?? "NONE");
  line("DNS for subnets", c.dnsNameservers.join(", ") || "the cloud's default (none set)");
  // The services a cluster needs beyond the catalog's: Octavia and the quotas.
  const checks: Array<[string, () => Promise<unknown>]> = [
    ["Octavia", () => cloud.loadBalancer.listLoadBalancers()],
    ["Nova limits", () => cloud.compute.limits()],
    ["Neutron quotas", async () => cloud.network.quotaDetails((await cloud.session.auth()).projectId)],
  ];
  for (const [name, run] of checks) {
    try {
      await run();
      line(name, "ok");
    } catch (e) {
      line(name, `FAILED: ${e instanceof Error ? e.message : String(e)}`);
      c.problems.push(`${name} cannot be used with these credentials`);
    }
  }
  console.log(
    c.problems.length
      ? `\nMissing or guessed:\n${c.problems.map((p) => `  - ${p}`).join("\n")}`
      : "\nNothing missing.",
  );
  const blocking = !c.computeZones.length || !c.flavors.length || !c.images.length || !c.externalNetworkId;
  console.log(
    blocking
      ? "\nA cluster cannot be created on this cloud yet."
      : "\nClusters can be created on this cloud.",
  );
  process.exitCode = blocking ? 1 : 0;
} catch (e) {
  console.error(`The cloud could not be read: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 2;
} finally {
  cloud.close();
}
