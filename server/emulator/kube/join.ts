import { createHash, createPrivateKey, createPublicKey, X509Certificate } from "node:crypto";
import { parse as parseYaml, parseAllDocuments } from "yaml";
import { z } from "zod";
import {
  CLUSTER_ID_LABEL,
  ETCD_DISK_SCRIPT,
  NODE_GROUP_LABEL,
  NODE_ROLE_LABEL,
  PKI_FILES,
} from "@/server/contracts/node-config";
import {
  caCertHash,
  goDurationMs,
  KubeadmDocument,
  type ClusterConfiguration,
  type InitConfiguration,
  type JoinConfiguration,
} from "@/server/contracts/kubeadm";
import type { Engine } from "../engine";
import { newCluster } from "./sample";
import type { Server } from "../state";

/**
 * What kubeadm would do with a server's user data. The emulated node joins
 * only if its cloud-config would really bring up (init) or join a cluster:
 * the cloud-config parses, runcmd runs `kubeadm init|join --config F` with F
 * written by write_files, the kubeadm documents are valid v1beta4, and at
 * the moment the kubelet would register:
 *   init — the CA, etcd CA, front-proxy CA (each with its key) and the
 *          service-account pair are pre-placed, the image's kubeadm is the
 *          cluster version, the etcd volume named by the disk script is
 *          attached and the data dir is on it;
 *   join — the endpoint is the cluster's control-plane endpoint, the
 *          bootstrap token exists in that cluster and has not expired, the
 *          CA hash pins the cluster's CA; a control-plane join also brings
 *          the cluster's CA material and its etcd volume.
 * A node that would fail stays unregistered; its console log says why, in
 * kubeadm's words. The verdict is kept per boot (server id, launch, user data).
 */

/** Emulated node identity (from the kubeadm documents and the kubelet's node labels). */
export interface NodeConfig {
  clusterId: string;
  clusterName: string;
  role: "master" | "worker";
  group: string | null;
  labels: Record<string, string>;
  taints: Array<{ key: string; value: string; effect: string }>;
  /** The kubelet runs with `--cloud-provider=external`: the node waits for the cloud controller to initialize it. */
  externalCloudProvider: boolean;
}

const CloudConfig = z.object({
  write_files: z
    .array(
      z
        .object({ path: z.string(), content: z.string().default(""), permissions: z.string().optional() })
        .strict()
        .passthrough(),
    )
    .default([]),
  runcmd: z.array(z.union([z.string(), z.array(z.string())])).default([]),
});

export interface NodeBoot {
  files: Map<string, string>;
  mode: "init" | "join" | null;
  init: InitConfiguration | null;
  cluster: ClusterConfiguration | null;
  join: JoinConfiguration | null;
  etcdDisk: { serial: string; mount: string } | null;
  /** Why kubeadm (or cloud-init) would stop before talking to anything; null when the config is sound. */
  error: string | null;
  config: NodeConfig | null;
}

const EMPTY: NodeBoot = {
  files: new Map(),
  mode: null,
  init: null,
  cluster: null,
  join: null,
  etcdDisk: null,
  error: null,
  config: null,
};

const cache = new Map<string, { raw: string | null; boot: NodeBoot; hash: string }>();

function argValue(
  args: Array<{ name: string; value: string }> | undefined,
  name: string,
): string | undefined {
  return args?.find((a) => a.name === name)?.value;
}

function labelsOf(arg: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (arg ?? "").split(",")) {
    if (!pair) continue;
    const eq = pair.indexOf("=");
    out[eq < 0 ? pair : pair.slice(0, eq)] = eq < 0 ? "" : pair.slice(eq + 1);
  }
  return out;
}

/** The server's cloud-config read the way cloud-init and kubeadm would (cached per user-data value). */
export function bootOf(srv: Server): NodeBoot {
  return cached(srv).boot;
}

function cached(srv: Server) {
  const hit = cache.get(srv.id);
  if (hit && hit.raw === srv.userData) return hit;
  const entry = {
    raw: srv.userData,
    boot: parseBoot(srv.userData),
    hash: createHash("sha256")
      .update(srv.userData ?? "")
      .digest("hex")
      .slice(0, 16),
  };
  cache.set(srv.id, entry);
  return entry;
}

function parseBoot(userData: string | null): NodeBoot {
  const text = userData ? Buffer.from(userData, "base64").toString("utf8") : "";
  if (!text.startsWith("#cloud-config")) return EMPTY;
  let cc: z.infer<typeof CloudConfig>;
  try {
    const r = CloudConfig.safeParse(parseYaml(text));
    if (!r.success)
      return { ...EMPTY, error: `cloud-init: invalid cloud-config: ${r.error.issues[0]?.message}` };
    cc = r.data;
  } catch (err) {
    return { ...EMPTY, error: `cloud-init: cloud-config is not YAML: ${(err as Error).message}` };
  }
  const files = new Map(cc.write_files.map((f) => [f.path, f.content]));
  const argv = cc.runcmd.filter((c): c is string[] => Array.isArray(c));
  const kubeadm = argv.find((c) => c[0] === "kubeadm");
  if (!kubeadm) return { ...EMPTY, files };
  const mode: NodeBoot["mode"] = kubeadm[1] === "init" || kubeadm[1] === "join" ? kubeadm[1] : null;
  const configPath = kubeadm[kubeadm.indexOf("--config") + 1];
  const base: NodeBoot = { ...EMPTY, files, mode };
  if (!mode || kubeadm.indexOf("--config") < 0 || !configPath)
    return { ...base, error: `kubeadm: unsupported command line: ${kubeadm.join(" ")}` };
  const configText = files.get(configPath);
  if (configText === undefined)
    return {
      ...base,
      error: `kubeadm: unable to read config from "${configPath}": no such file or directory`,
    };
  let docs;
  try {
    docs = parseKubeadmConfig(configText);
  } catch (err) {
    return { ...base, error: `kubeadm: error unmarshaling ${configPath}: ${(err as Error).message}` };
  }
  const init = docs.find((d): d is InitConfiguration => d.kind === "InitConfiguration") ?? null;
  const cluster = docs.find((d): d is ClusterConfiguration => d.kind === "ClusterConfiguration") ?? null;
  const join = docs.find((d): d is JoinConfiguration => d.kind === "JoinConfiguration") ?? null;
  const disk = argv.find((c) => c[0] === ETCD_DISK_SCRIPT);
  const diskIndex = disk ? argv.indexOf(disk) : -1;
  const etcdDisk =
    disk && disk[1] && disk[2] && files.has(ETCD_DISK_SCRIPT) && diskIndex < argv.indexOf(kubeadm)
      ? { serial: disk[1], mount: disk[2] }
      : null;
  const registration = mode === "init" ? init?.nodeRegistration : join?.nodeRegistration;
  if (mode === "init" && (!init || !cluster))
    return {
      ...base,
      error: `kubeadm: ${configPath} needs an InitConfiguration and a ClusterConfiguration for init`,
    };
  if (mode === "join" && !join) return { ...base, error: `kubeadm: ${configPath} has no JoinConfiguration` };
  const labels = labelsOf(argValue(registration?.kubeletExtraArgs, "node-labels"));
  const clusterId = labels[CLUSTER_ID_LABEL];
  const roleLabel = labels[NODE_ROLE_LABEL];
  const controlPlane = mode === "init" || Boolean(join?.controlPlane);
  const own = Object.fromEntries(
    Object.entries(labels).filter(
      ([k]) => k !== CLUSTER_ID_LABEL && k !== NODE_ROLE_LABEL && k !== NODE_GROUP_LABEL,
    ),
  );
  const config: NodeConfig | null = clusterId
    ? {
        clusterId,
        clusterName: cluster?.clusterName ?? "",
        role: controlPlane || roleLabel === "master" ? "master" : "worker",
        group: labels[NODE_GROUP_LABEL] ?? null,
        labels: own,
        taints: (registration?.taints ?? []).map((t) => ({
          key: t.key,
          value: t.value ?? "",
          effect: t.effect,
        })),
        externalCloudProvider: argValue(registration?.kubeletExtraArgs, "cloud-provider") === "external",
      }
    : null;
  return { files, mode, init, cluster, join, etcdDisk, error: null, config };
}

/** kubeadm reading its --config file: every document must be a kind it knows, valid for its schema. */
function parseKubeadmConfig(text: string): KubeadmDocument[] {
  return parseAllDocuments(text).map((doc, i) => {
    if (doc.errors.length) throw new Error(`document ${i + 1}: ${doc.errors[0]!.message}`);
    const r = KubeadmDocument.safeParse(doc.toJS());
    if (!r.success)
      throw new Error(
        `document ${i + 1}: ${r.error.issues[0]?.path.join(".")}: ${r.error.issues[0]?.message}`,
      );
    return r.data;
  });
}

/** A bootstrap token the emulated cluster stores (kube-system/bootstrap-token-<id>). */
export interface StoredToken {
  secret: string;
  expiresAt: number;
}

export interface JoinState {
  key: string;
  ok: boolean;
  /** kubeadm's message when the node did not join. */
  reason: string | null;
  at: number;
}

/** How long kubeadm join retries discovery (its config's timeouts.discovery; kubeadm's default is 5 min). */
const discoveryMs = (join: JoinConfiguration | null) => goDurationMs(join?.timeouts?.discovery, 5 * 60_000);

/** The DER public key of a certificate, a public key or a private key (PEM); null when it does not parse. */
function spki(pem: string | undefined, kind: "certificate" | "public" | "private"): Buffer | null {
  if (!pem) return null;
  try {
    const key =
      kind === "certificate"
        ? new X509Certificate(pem).publicKey
        : kind === "public"
          ? createPublicKey(pem)
          : createPublicKey(createPrivateKey(pem));
    return key.export({ type: "spki", format: "der" });
  } catch {
    return null;
  }
}

/** Whether `keyPem` is the private key of `publicPem` (a certificate or a public key). */
function pairs(publicPem: string | undefined, kind: "certificate" | "public", keyPem: string | undefined) {
  const pub = spki(publicPem, kind);
  const priv = spki(keyPem, "private");
  return pub !== null && priv !== null && pub.equals(priv);
}

function pkiProblem(files: Map<string, string>): string | null {
  const cas: Array<[string, string]> = [
    [PKI_FILES.caCert, PKI_FILES.caKey],
    [PKI_FILES.etcdCaCert, PKI_FILES.etcdCaKey],
    [PKI_FILES.frontProxyCaCert, PKI_FILES.frontProxyCaKey],
  ];
  for (const [cert, key] of cas)
    if (!pairs(files.get(cert), "certificate", files.get(key)))
      return `[certs] failure loading ${cert.replace(/\.crt$/, "")} certificate authority: couldn't load the certificate or key (${cert}, ${key})`;
  if (!pairs(files.get(PKI_FILES.saPub), "public", files.get(PKI_FILES.saKey)))
    return `[certs] failure loading the service account key pair (${PKI_FILES.saKey}, ${PKI_FILES.saPub})`;
  return null;
}

function etcdProblem(engine: Engine, srv: Server, boot: NodeBoot, since: number): "wait" | string | null {
  if (!boot.etcdDisk)
    return `etcd: no etcd volume is mounted before kubeadm runs (expected ${ETCD_DISK_SCRIPT} in runcmd)`;
  const { serial, mount } = boot.etcdDisk;
  const dataDir = boot.cluster?.etcd.local.dataDir;
  if (dataDir && !dataDir.startsWith(`${mount}/`))
    return `etcd: data dir ${dataDir} is not on the etcd volume mounted at ${mount}`;
  const vol = Object.values(engine.state.volumes).find((v) => v.id.startsWith(serial));
  if (vol?.attachment?.serverId === srv.id) return null;
  if (engine.now() - since < nodeDelay(engine, 900_000)) return "wait";
  return `kc-etcd-disk: volume ${serial} is not attached after 900 s`;
}

export interface JoinContext {
  engine: Engine;
  srv: Server;
  boot: NodeBoot;
  /** When the kubelet would register (boot plus the kubelet's start). */
  readyAt: number;
  imageVersion: string | null;
  /** Whether the named cluster's API answers now (a ready master). */
  apiUp: (clusterId: string) => boolean;
}

export type Verdict = { state: "joined" } | { state: "waiting" } | { state: "failed"; reason: string };

/**
 * One boot in cloud-init's sense: the image and the user data. cloud-init
 * runs kubeadm once per instance; a stop/start or reboot keeps the joined
 * kubelet (same key), a rebuild re-images the disk and runs it again (new
 * user data or image: a new key).
 */
const bootKey = (srv: Server) => `${srv.imageId}|${cached(srv).hash}`;

/** Whether an earlier boot of this server joined: its Node object stays (NotReady) while a rebuild rejoins. */
export function joinedBefore(engine: Engine, srv: Server): boolean {
  return engine.state.nodeJoins?.[srv.id]?.ok === true;
}

/** Why a server's kubelet never registered (kubeadm's words), or null. */
export function joinFailureOf(engine: Engine, serverId: string): string | null {
  const j = engine.state.nodeJoins?.[serverId];
  return j && !j.ok ? j.reason : null;
}

/** Whether this boot of the server has joined already (decided on an earlier look). */
export function joinedThisBoot(engine: Engine, srv: Server): boolean {
  const memo = engine.state.nodeJoins?.[srv.id];
  return Boolean(memo?.ok && memo.key === bootKey(srv));
}

/** Decide (once per boot) whether the server's kubelet registers. */
export function decideJoin(c: JoinContext): Verdict {
  const { engine, srv } = c;
  const joins = (engine.state.nodeJoins ??= {});
  const key = bootKey(srv);
  const memo = joins[srv.id];
  if (memo?.key === key)
    return memo.ok ? { state: "joined" } : { state: "failed", reason: memo.reason ?? "" };
  const now = engine.now();
  if (now < c.readyAt) return { state: "waiting" };
  const v = evaluate(c, now);
  if (v.state === "waiting") return v;
  joins[srv.id] = { key, ok: v.state === "joined", reason: v.state === "failed" ? v.reason : null, at: now };
  engine.markDirty();
  return v;
}

function evaluate(c: JoinContext, now: number): Verdict {
  const { engine, srv, boot } = c;
  const fail = (reason: string): Verdict => ({ state: "failed", reason });
  if (boot.error) return fail(boot.error);
  if (!boot.config) return fail(`kubelet: no ${CLUSTER_ID_LABEL} node label: the node names no cluster`);
  const clusterId = boot.config.clusterId;
  if (boot.mode === "init") {
    const cluster = boot.cluster!;
    if (c.imageVersion && cluster.kubernetesVersion !== `v${c.imageVersion}`)
      return fail(
        `kubeadm: this version of kubeadm (v${c.imageVersion}) does not match kubernetesVersion ${cluster.kubernetesVersion}`,
      );
    const pki = pkiProblem(boot.files);
    if (pki) return fail(pki);
    // A real second init would make a second, separate cluster; this emulator keeps one per id and refuses it.
    const existing = engine.state.kube[clusterId];
    if (existing?.control && existing.control.initServerId !== srv.id)
      return fail(
        `kubeadm init: cluster ${cluster.clusterName} already has a control plane (initialized by another node): a further master must join`,
      );
    const etcd = etcdProblem(engine, srv, boot, c.readyAt);
    if (etcd === "wait") return { state: "waiting" };
    if (etcd) return fail(etcd);
    const tokens: Record<string, StoredToken> = {};
    for (const t of boot.init!.bootstrapTokens ?? []) {
      const [id, secret] = t.token.split(".") as [string, string];
      tokens[id] = { secret, expiresAt: now + goDurationMs(t.ttl, 24 * 3_600_000) };
    }
    const k = (engine.state.kube[clusterId] ??= newCluster(
      { ...boot.config, clusterName: cluster.clusterName },
      now,
    ));
    k.control = {
      initServerId: srv.id,
      caCertPem: boot.files.get(PKI_FILES.caCert)!,
      caKeyPem: boot.files.get(PKI_FILES.caKey)!,
      endpoint: cluster.controlPlaneEndpoint,
      certSANs: cluster.apiServer.certSANs ?? [],
      tokens: { ...(k.control?.tokens ?? {}), ...tokens },
    };
    return { state: "joined" };
  }
  const join = boot.join!;
  const k = engine.state.kube[clusterId];
  const control = k?.control;
  if (!control || !c.apiUp(clusterId)) {
    if (now - c.readyAt > nodeDelay(engine, discoveryMs(join)))
      return fail(
        `kubeadm join: couldn't validate the identity of the API Server: timed out waiting for ${join.discovery.bootstrapToken.apiServerEndpoint}`,
      );
    return { state: "waiting" };
  }
  const d = join.discovery.bootstrapToken;
  if (d.apiServerEndpoint !== control.endpoint)
    return fail(
      `kubeadm join: couldn't validate the identity of the API Server: Get "https://${d.apiServerEndpoint}/api/v1/namespaces/kube-public/configmaps/cluster-info": dial tcp ${d.apiServerEndpoint}: connect: no route to host`,
    );
  const [id, secret] = d.token.split(".") as [string, string];
  const token = control.tokens[id];
  if (!token || token.secret !== secret || token.expiresAt <= now)
    return fail(
      `kubeadm join: couldn't validate the identity of the API Server: could not find a JWS signature in the cluster-info ConfigMap for token ID "${id}"`,
    );
  const hash = caCertHash(control.clusterInfoCaPem ?? control.caCertPem);
  if (!d.caCertHashes.includes(hash))
    return fail(
      `kubeadm join: cluster CA found in cluster-info ConfigMap is invalid: none of the public keys "${hash}" are pinned`,
    );
  if (join.controlPlane) {
    const pki = pkiProblem(boot.files);
    if (pki) return fail(pki);
    if (boot.files.get(PKI_FILES.caCert)?.trim() !== control.caCertPem.trim())
      return fail(`[certs] ${PKI_FILES.caCert} is not the cluster's CA: a control-plane node must share it`);
    const etcd = etcdProblem(engine, srv, boot, c.readyAt);
    if (etcd === "wait") return { state: "waiting" };
    if (etcd) return fail(etcd);
  }
  return { state: "joined" };
}

/** A node-side timeout at the emulator's speed; at infinite speed a minute, so boot order never decides a join. */
function nodeDelay(engine: Engine, ms: number): number {
  return engine.speed === Number.POSITIVE_INFINITY ? 60_000 : Math.round(ms / engine.speed);
}
