import { ANY_METHOD } from "../../http";
import type { KubeClusterState } from "../types";
import { appliedKey } from "../helm";
import { apply, get } from "./applied";
import { notFound, status, type KubeCall, type KubeResponse, type KubeRouter } from "./common";

/** The one Secret the emulated API stores: the PKI the console pushes to rotate the API server's certificates. */

const PKI_SECRET = { namespace: "kube-system", name: "kc-apiserver-pki" };

export function secretRoutes(router: KubeRouter): void {
  router.on(ANY_METHOD, "/api/v1/namespaces/:ns/secrets", (call, { ns }) => secrets(call, ns!, null));
  router.on(ANY_METHOD, "/api/v1/namespaces/:ns/secrets/:name", (call, { ns, name }) =>
    secrets(call, ns!, name!),
  );
}

const TOKEN_NAME = /^bootstrap-token-([a-z0-9]{6})$/;

/**
 * kube-system/bootstrap-token-<id> (type bootstrap.kubernetes.io/token):
 * created by kubeadm init from its InitConfiguration and by the console
 * for later joins; a node's join checks its token against these.
 */
function bootstrapToken(call: KubeCall, name: string | null): KubeResponse | null {
  const { engine, k } = call.ctx;
  const req = call.req;
  const b = req.body as
    | {
        metadata?: { name?: string };
        type?: string;
        stringData?: Record<string, string>;
        data?: Record<string, string>;
      }
    | undefined;
  const target = name ?? b?.metadata?.name ?? "";
  const m = TOKEN_NAME.exec(target);
  if (!m) return null;
  const id = m[1]!;
  const control = k.control;
  if (req.method === "GET" && name) {
    const t = control?.tokens[id];
    if (!t || t.expiresAt <= engine.now()) return notFound("secrets", name); // the token cleaner removes expired ones
    return {
      status: 200,
      body: {
        kind: "Secret",
        apiVersion: "v1",
        type: "bootstrap.kubernetes.io/token",
        metadata: { name, namespace: "kube-system" },
      },
    };
  }
  if (req.method === "POST" && !name) {
    if (!control) return status(503, "ServiceUnavailable", "the control plane is not initialized");
    const raw = {
      ...(b?.data
        ? Object.fromEntries(
            Object.entries(b.data).map(([key, v]) => [key, Buffer.from(v, "base64").toString("utf8")]),
          )
        : {}),
      ...(b?.stringData ?? {}),
    };
    const expiration = raw.expiration ? Date.parse(raw.expiration) : Number.POSITIVE_INFINITY;
    if (
      b?.type !== "bootstrap.kubernetes.io/token" ||
      raw["token-id"] !== id ||
      !/^[a-z0-9]{16}$/.test(raw["token-secret"] ?? "") ||
      raw["usage-bootstrap-authentication"] !== "true" ||
      Number.isNaN(expiration)
    )
      return status(
        422,
        "Invalid",
        `Secret "${target}" is invalid: a bootstrap token needs type bootstrap.kubernetes.io/token, token-id ${id}, a 16-character token-secret, usage-bootstrap-authentication "true" and an RFC 3339 expiration`,
      );
    if (control.tokens[id] && control.tokens[id].expiresAt > engine.now())
      return status(409, "AlreadyExists", `secrets "${target}" already exists`);
    control.tokens[id] = { secret: raw["token-secret"]!, expiresAt: expiration };
    k.resourceVersion++;
    engine.markDirty();
    return {
      status: 201,
      body: { kind: "Secret", apiVersion: "v1", metadata: { name: target, namespace: "kube-system" } },
    };
  }
  return null;
}

function secrets(call: KubeCall, ns: string, name: string | null): KubeResponse {
  const {
    ctx: { engine, k },
    req,
  } = call;
  if (ns === "kube-system") {
    const token = bootstrapToken(call, name);
    if (token) return token;
  }
  // Secrets the console applies (kube-system/cloud-config): server-side apply, read back whole.
  if (name && req.method === "PATCH") return apply(call, "v1", "Secret", ns, name);
  if (name && req.method === "GET" && k.applied?.[appliedKey("v1", "Secret", ns, name)])
    return get(call, "v1", "Secret", ns, name);
  const isPki = ns === PKI_SECRET.namespace && (name ?? "") === PKI_SECRET.name;
  if (req.method === "GET" && name) {
    if (!isPki || !k.pki) return notFound("secrets", name);
    return { status: 200, body: pkiSecret(k) };
  }
  if (req.method === "PUT" || (req.method === "POST" && !name)) {
    const b = req.body as {
      metadata?: { name?: string; namespace?: string };
      data?: Record<string, string>;
    };
    const target = name ?? b?.metadata?.name;
    if (ns !== PKI_SECRET.namespace || target !== PKI_SECRET.name)
      return status(403, "Forbidden", "this emulated API server stores only kube-system/kc-apiserver-pki");
    const d = b?.data ?? {};
    const dec = (key: string) => (d[key] ? Buffer.from(d[key], "base64").toString("utf8") : "");
    const next = { caBundle: dec("ca-bundle.crt"), cert: dec("tls.crt"), key: dec("tls.key") };
    if (
      !next.caBundle.includes("BEGIN CERTIFICATE") ||
      !next.cert.includes("BEGIN CERTIFICATE") ||
      !next.key.includes("PRIVATE KEY")
    )
      return status(
        422,
        "Invalid",
        'Secret "kc-apiserver-pki" is invalid: data needs ca-bundle.crt, tls.crt and tls.key (PEM)',
      );
    const existed = k.pki !== null;
    k.pki = next;
    k.resourceVersion++;
    engine.markDirty();
    return { status: existed ? 200 : 201, body: pkiSecret(k) };
  }
  return status(405, "MethodNotAllowed", `${req.method} is not supported on secrets`);
}

function pkiSecret(k: KubeClusterState) {
  const enc = (s: string) => Buffer.from(s).toString("base64");
  return {
    kind: "Secret",
    apiVersion: "v1",
    type: "Opaque",
    metadata: {
      name: PKI_SECRET.name,
      namespace: PKI_SECRET.namespace,
      resourceVersion: String(k.resourceVersion),
    },
    // The key is write-only here, as RBAC would make it in a real cluster's kube-system.
    data: { "ca-bundle.crt": enc(k.pki?.caBundle ?? ""), "tls.crt": enc(k.pki?.cert ?? "") },
  };
}
