import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";

/** Everything needed to reach one OpenStack project. */
export const CloudConfig = z.object({
  authUrl: z.url(),
  region: z.string().min(1).optional(),
  interface: z.enum(["public", "internal", "admin"]).default("public"),
  auth: z.discriminatedUnion("type", [
    z.object({
      type: z.literal("password"),
      username: z.string().min(1),
      password: z.string().min(1),
      userDomainName: z.string().default("Default"),
      projectName: z.string().optional(),
      projectId: z.string().optional(),
      projectDomainName: z.string().default("Default"),
    }),
    z.object({ type: z.literal("application_credential"), id: z.string().min(1), secret: z.string().min(1) }),
  ]),
  caCertPem: z.string().optional(),
});
export type CloudConfig = z.infer<typeof CloudConfig>;

export class CloudConfigError extends Error {
  override name = "CloudConfigError";
}

/** Keystone v3 base: `https://k:5000` and `https://k:5000/v3/` both become `https://k:5000/v3`. */
export function keystoneV3(url: string): string {
  const trimmed = url.replace(/\/+$/, "");
  return /\/v3$/.test(trimmed) ? trimmed : `${trimmed}/v3`;
}

function readCa(file: string | undefined): string | undefined {
  if (!file) return undefined;
  if (!existsSync(file)) throw new CloudConfigError(`CA certificate file not found: ${file}`);
  return readFileSync(file, "utf8");
}

function parse(raw: unknown, source: string): CloudConfig {
  const r = CloudConfig.safeParse(raw);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new CloudConfigError(`Invalid OpenStack configuration from ${source}: ${issues}`);
  }
  return { ...r.data, authUrl: keystoneV3(r.data.authUrl) };
}

/** OS_AUTH_URL and friends, as the openstack CLI reads them. Null when OS_AUTH_URL is unset. */
export function configFromEnv(env: Record<string, string | undefined> = process.env): CloudConfig | null {
  if (!env.OS_AUTH_URL) return null;
  const appCred = env.OS_APPLICATION_CREDENTIAL_ID || /applicationcredential/.test(env.OS_AUTH_TYPE ?? "");
  return parse(
    {
      authUrl: env.OS_AUTH_URL,
      region: env.OS_REGION_NAME || undefined,
      interface: env.OS_INTERFACE || env.OS_ENDPOINT_TYPE?.replace(/URL$/, "") || undefined,
      auth: appCred
        ? {
            type: "application_credential",
            id: env.OS_APPLICATION_CREDENTIAL_ID,
            secret: env.OS_APPLICATION_CREDENTIAL_SECRET,
          }
        : {
            type: "password",
            username: env.OS_USERNAME,
            password: env.OS_PASSWORD,
            userDomainName: env.OS_USER_DOMAIN_NAME || undefined,
            projectName: env.OS_PROJECT_NAME || env.OS_TENANT_NAME || undefined,
            projectId: env.OS_PROJECT_ID || env.OS_TENANT_ID || undefined,
            projectDomainName: env.OS_PROJECT_DOMAIN_NAME || undefined,
          },
      caCertPem: readCa(env.OS_CACERT),
    },
    "OS_* environment variables",
  );
}

const CloudsYaml = z.object({
  clouds: z.record(
    z.string(),
    z
      .object({
        auth: z.record(z.string(), z.unknown()).default({}),
        auth_type: z.string().optional(),
        region_name: z.string().optional(),
        interface: z.string().optional(),
        cacert: z.string().optional(),
      })
      .passthrough(),
  ),
});

export function cloudsYamlPaths(env: Record<string, string | undefined> = process.env): string[] {
  return [
    env.OS_CLIENT_CONFIG_FILE,
    path.join(process.cwd(), "clouds.yaml"),
    path.join(os.homedir(), ".config", "openstack", "clouds.yaml"),
    "/etc/openstack/clouds.yaml",
  ].filter((p): p is string => Boolean(p));
}

/** The named cloud from the first clouds.yaml found (merged with secure.yaml beside it). */
export function configFromCloudsYaml(
  cloud: string,
  env: Record<string, string | undefined> = process.env,
): CloudConfig {
  const file = cloudsYamlPaths(env).find((p) => existsSync(p));
  if (!file)
    throw new CloudConfigError(
      `OS_CLOUD=${cloud} but no clouds.yaml found (looked in ${cloudsYamlPaths(env).join(", ")})`,
    );
  const doc = CloudsYaml.safeParse(parseYaml(readFileSync(file, "utf8")));
  if (!doc.success)
    throw new CloudConfigError(`${file} is not a valid clouds.yaml: ${doc.error.issues[0]?.message}`);
  const entry = doc.data.clouds[cloud];
  if (!entry)
    throw new CloudConfigError(
      `Cloud '${cloud}' not found in ${file} (has: ${Object.keys(doc.data.clouds).join(", ")})`,
    );
  const secureFile = path.join(path.dirname(file), "secure.yaml");
  const secure = existsSync(secureFile)
    ? (CloudsYaml.safeParse(parseYaml(readFileSync(secureFile, "utf8"))).data?.clouds[cloud] ?? null)
    : null;
  const a = { ...entry.auth, ...(secure?.auth ?? {}) } as Record<string, string | undefined>;
  const appCred = Boolean(a.application_credential_id) || /applicationcredential/.test(entry.auth_type ?? "");
  return parse(
    {
      authUrl: a.auth_url,
      region: entry.region_name,
      interface: entry.interface,
      auth: appCred
        ? {
            type: "application_credential",
            id: a.application_credential_id,
            secret: a.application_credential_secret,
          }
        : {
            type: "password",
            username: a.username,
            password: a.password,
            userDomainName: a.user_domain_name,
            projectName: a.project_name,
            projectId: a.project_id,
            projectDomainName: a.project_domain_name,
          },
      caCertPem: readCa(entry.cacert),
    },
    `${file} (cloud '${cloud}')`,
  );
}

/** The operator's default cloud: OS_CLOUD, else OS_AUTH_URL…, else null (use the built-in emulator). */
export function defaultCloudConfig(
  env: Record<string, string | undefined> = process.env,
): CloudConfig | null {
  if (env.OS_CLOUD) return configFromCloudsYaml(env.OS_CLOUD, env);
  return configFromEnv(env);
}
