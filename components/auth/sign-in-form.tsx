"use client";

import { KeyRound } from "lucide-react";
import { useRouter } from "next/navigation";
import { signIn } from "next-auth/react";
import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { FormError } from "@/components/ui/form-error";
import { AuthHeading, EmailField, PasswordField } from "./auth-parts";

const RATE_LIMITED = "RateLimited:";

export function messageForSignInError(error: string | null | undefined): string | null {
  if (!error) return null;
  if (error.startsWith(RATE_LIMITED)) {
    const minutes = Math.max(
      1,
      Math.ceil((Number.parseInt(error.slice(RATE_LIMITED.length), 10) || 60) / 60),
    );
    return `Too many failed sign-in attempts. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
  }
  if (error === "CredentialsSignin") return "Incorrect email or password.";
  if (error === "AccessDenied") return "Your identity provider did not share a verified email address.";
  if (error === "SessionRequired") return null;
  return "Sign-in failed. Please try again.";
}

export function SignInForm({
  oidcName,
  initialError,
  callbackUrl,
}: {
  oidcName: string | null;
  initialError?: string;
  callbackUrl: string;
}) {
  const router = useRouter();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(messageForSignInError(initialError));

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setPending(true);
    setError(null);
    const res = await signIn("credentials", { email, password, redirect: false, callbackUrl });
    if (res?.ok && !res.error) {
      router.replace(callbackUrl);
      router.refresh();
      return;
    }
    setPending(false);
    setError(messageForSignInError(res?.error ?? "CredentialsSignin"));
  }

  return (
    <div>
      <AuthHeading title="Sign in" prompt="New here?" href="/sign-up" link="Create an account" />

      <form onSubmit={onSubmit} className="mt-8 space-y-4" noValidate>
        <FormError message={error} padding="py-2.5" />
        <EmailField required value={email} onChange={(e) => setEmail(e.target.value)} />
        <PasswordField
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <Button type="submit" className="w-full" loading={pending}>
          Sign in
        </Button>
      </form>

      {oidcName && (
        <>
          <div className="my-6 flex items-center gap-3 text-xs text-muted">
            <span className="h-px flex-1 bg-border" /> or <span className="h-px flex-1 bg-border" />
          </div>
          <Button variant="secondary" className="w-full" onClick={() => void signIn("oidc", { callbackUrl })}>
            <KeyRound className="size-4" /> Continue with {oidcName}
          </Button>
        </>
      )}
    </div>
  );
}
