import { env, oidcConfigured } from "@/server/env";

/** What the sign-in page may know about configured providers (no secrets). */
export function publicAuthConfig(): { oidcName: string | null } {
  const e = env();
  return { oidcName: oidcConfigured(e) ? e.OIDC_DISPLAY_NAME : null };
}
