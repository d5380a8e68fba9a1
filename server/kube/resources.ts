/**
 * The REST paths of the kinds the console applies, so a server-side apply
 * needs no discovery round trip. A kind not listed here is refused before
 * any request.
 */
const KINDS: Record<string, { plural: string; namespaced: boolean }> = {
  "v1/Namespace": { plural: "namespaces", namespaced: false },
  "v1/ServiceAccount": { plural: "serviceaccounts", namespaced: true },
  "v1/Secret": { plural: "secrets", namespaced: true },
  "v1/ConfigMap": { plural: "configmaps", namespaced: true },
  "rbac.authorization.k8s.io/v1/ClusterRole": { plural: "clusterroles", namespaced: false },
  "rbac.authorization.k8s.io/v1/ClusterRoleBinding": { plural: "clusterrolebindings", namespaced: false },
  "apps/v1/Deployment": { plural: "deployments", namespaced: true },
  "helm.cattle.io/v1/HelmChart": { plural: "helmcharts", namespaced: true },
  "storage.k8s.io/v1/StorageClass": { plural: "storageclasses", namespaced: false },
};

/** `/api/v1/namespaces/kube-system/secrets/cloud-config` and the like. */
export function resourcePath(obj: {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
}): string {
  const k = KINDS[`${obj.apiVersion}/${obj.kind}`];
  if (!k) throw new Error(`The console does not apply ${obj.kind} (${obj.apiVersion}) objects`);
  if (k.namespaced && !obj.metadata.namespace)
    throw new Error(`${obj.kind} ${obj.metadata.name} needs a namespace`);
  const base = obj.apiVersion.includes("/") ? `/apis/${obj.apiVersion}` : `/api/${obj.apiVersion}`;
  const ns = k.namespaced ? `/namespaces/${encodeURIComponent(obj.metadata.namespace!)}` : "";
  return `${base}${ns}/${k.plural}/${encodeURIComponent(obj.metadata.name)}`;
}
