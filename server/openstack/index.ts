import { createHash } from "node:crypto";
import { BlockStorageClient } from "./blockstorage";
import { ComputeClient } from "./compute";
import type { CloudConfig } from "./config";
import { HttpClient, type HttpOptions } from "./http";
import { IdentityClient } from "./identity";
import { ImageClient } from "./image";
import { LoadBalancerClient } from "./loadbalancer";
import { NetworkClient } from "./network";
import { KeystoneSession } from "./session";

export * from "./errors";
export {
  CloudConfig,
  configFromEnv,
  configFromCloudsYaml,
  defaultCloudConfig,
  CloudConfigError,
} from "./config";
export type { HttpLogEntry, HttpOptions } from "./http";
export { ApplicationCredentialExists } from "./identity";
export type {
  ApplicationCredential,
  CreateApplicationCredentialInput,
  CreatedApplicationCredential,
} from "./identity";

/** One OpenStack project, through its real HTTP APIs. */
export interface OpenStackCloud {
  config: CloudConfig;
  session: KeystoneSession;
  /** Keystone's API for the token's own user: application credentials. */
  identity: IdentityClient;
  compute: ComputeClient;
  network: NetworkClient;
  loadBalancer: LoadBalancerClient;
  blockStorage: BlockStorageClient;
  image: ImageClient;
  close(): void;
}

export interface CloudOptions extends HttpOptions {
  /** Clock for token expiry decisions (the emulator's test clock in tests). */
  now?: () => number;
}

export function createCloud(config: CloudConfig, opts: CloudOptions = {}): OpenStackCloud {
  const http = new HttpClient({ ...opts, caCertPem: config.caCertPem ?? null });
  const session = new KeystoneSession(config, http, opts.now);
  return {
    config,
    session,
    identity: new IdentityClient(session, http),
    compute: new ComputeClient(session),
    network: new NetworkClient(session),
    loadBalancer: new LoadBalancerClient(session),
    blockStorage: new BlockStorageClient(session),
    image: new ImageClient(session),
    close: () => http.close(),
  };
}

/** Stable key for a binding, so each one gets one cached session (and token). */
export function cloudKey(config: CloudConfig): string {
  return createHash("sha256").update(JSON.stringify(config)).digest("hex").slice(0, 24);
}

const cache = new Map<string, OpenStackCloud>();

/** The shared client for a binding: token cache per binding, one concurrency cap per cloud. */
export function cloudFor(config: CloudConfig, opts: CloudOptions = {}): OpenStackCloud {
  const key = cloudKey(config);
  let cloud = cache.get(key);
  if (!cloud) {
    cloud = createCloud(config, opts);
    cache.set(key, cloud);
  }
  return cloud;
}
