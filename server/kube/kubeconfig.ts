import { stringify } from "yaml";

const b64 = (s: string) => Buffer.from(s).toString("base64");

interface Base {
  clusterName: string;
  server: string;
  caCertPem: string;
}

/** One cluster, one user, one context: the shape kubectl reads from `--kubeconfig`. */
function render(a: Base, userName: string, user: Record<string, unknown>): string {
  return stringify(
    {
      apiVersion: "v1",
      kind: "Config",
      clusters: [
        {
          name: a.clusterName,
          cluster: { server: a.server, "certificate-authority-data": b64(a.caCertPem) },
        },
      ],
      users: [{ name: userName, user }],
      contexts: [{ name: a.clusterName, context: { cluster: a.clusterName, user: userName } }],
      "current-context": a.clusterName,
      preferences: {},
    },
    { lineWidth: 0 },
  );
}

/** A kubeconfig with an admin client certificate. */
export function certificateKubeconfig(
  a: Base & { user: string; clientCertPem: string; clientKeyPem: string },
) {
  return render(a, `${a.user}@${a.clusterName}`, {
    "client-certificate-data": b64(a.clientCertPem),
    "client-key-data": b64(a.clientKeyPem),
  });
}

/**
 * A kubeconfig without any secret: kubectl runs the oidc-login exec
 * plugin (kubelogin), which signs the user in at the console's identity
 * provider and hands kubectl a short-lived ID token.
 */
export function oidcKubeconfig(a: Base & { issuerUrl: string; clientId: string }) {
  return render(a, `oidc@${a.clusterName}`, {
    exec: {
      apiVersion: "client.authentication.k8s.io/v1beta1",
      command: "kubectl",
      args: [
        "oidc-login",
        "get-token",
        `--oidc-issuer-url=${a.issuerUrl}`,
        `--oidc-client-id=${a.clientId}`,
        "--oidc-extra-scope=email",
      ],
      interactiveMode: "IfAvailable",
      provideClusterInfo: false,
    },
  });
}
