import { z } from "zod";

/** How long a downloaded admin kubeconfig's client certificate is valid. */
export const KUBECONFIG_VALIDITIES = {
  "8h": { label: "8 hours", ms: 8 * 3_600_000 },
  "24h": { label: "24 hours", ms: 24 * 3_600_000 },
  "7d": { label: "7 days", ms: 7 * 86_400_000 },
  "30d": { label: "30 days", ms: 30 * 86_400_000 },
  "365d": { label: "1 year", ms: 365 * 86_400_000 },
} as const;
export const KubeconfigRequest = z.object({
  validity: z.enum(Object.keys(KUBECONFIG_VALIDITIES) as [keyof typeof KUBECONFIG_VALIDITIES], {
    message: `Choose a validity: ${Object.keys(KUBECONFIG_VALIDITIES).join(", ")}`,
  }),
  kind: z.enum(["certificate", "oidc"]).default("certificate"),
});
export type KubeconfigRequest = z.infer<typeof KubeconfigRequest>;
