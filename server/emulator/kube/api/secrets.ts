import { ANY_METHOD } from "../../http";
import type { KubeClusterState } from "../types";
import { notFound, status, type KubeCall, type KubeResponse, type KubeRouter } from "./common";

/** The one Secret the emulated API stores: the PKI the console pushes to rotate the API server's certificates. */

const PKI_SECRET = { namespace: "kube-system", name: "kc-apiserver-pki" };

export function secretRoutes(router: KubeRouter): void {
  router.on(ANY_METHOD, "/api/v1/namespaces/:ns/secrets", (call, { ns }) => secrets(call, ns!, null));
  router.on(ANY_METHOD, "/api/v1/namespaces/:ns/secrets/:name", (call, { ns, name }) =>
    secrets(call, ns!, name!),
  );
}

function secrets({ ctx: { engine, k }, req }: KubeCall, ns: string, name: string | null): KubeResponse {
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
