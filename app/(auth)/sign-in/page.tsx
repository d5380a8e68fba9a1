import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { SignInForm } from "@/components/auth/sign-in-form";
import { publicAuthConfig } from "@/server/auth/public-config";
import { currentUserId } from "@/server/auth/session";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

/** Only same-site paths are followed after sign-in (no open redirects). */
function safeCallback(raw: string | string[] | undefined): string {
  const v = Array.isArray(raw) ? raw[0] : raw;
  if (!v) return "/";
  try {
    const url = new URL(v, "http://local");
    return url.origin === "http://local" && url.pathname.startsWith("/") ? url.pathname + url.search : "/";
  } catch {
    return "/";
  }
}

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const callbackUrl = safeCallback(params.callbackUrl);
  if (await currentUserId()) redirect(callbackUrl);
  const error = typeof params.error === "string" ? params.error : undefined;
  return <SignInForm oidcName={publicAuthConfig().oidcName} initialError={error} callbackUrl={callbackUrl} />;
}
