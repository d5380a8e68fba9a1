"use client";

import { useMutation } from "@tanstack/react-query";
import { Check, Circle } from "lucide-react";
import { useRouter } from "next/navigation";
import { signIn } from "next-auth/react";
import { useState, type FormEvent } from "react";
import { fieldErrorsOf, useTRPC } from "@/components/trpc/client";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { InputField } from "@/components/ui/field";
import { FormError } from "@/components/ui/form-error";
import { AuthHeading, EmailField, PasswordField } from "./auth-parts";
import { fieldErrorsFromIssues } from "@/server/contracts/field-errors";
import { PASSWORD_RULES, SignUpInput } from "@/server/contracts/auth";

export function SignUpForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const [form, setForm] = useState({ name: "", email: "", password: "" });
  const [clientErrors, setClientErrors] = useState<Record<string, string[]>>({});
  const [signingIn, setSigningIn] = useState(false);
  const signUp = useMutation(trpc.auth.signUp.mutationOptions({ meta: { inlineErrors: true } }));
  const errors = { ...fieldErrorsOf(signUp.error), ...clientErrors };
  const formError =
    signUp.error && Object.keys(fieldErrorsOf(signUp.error)).length === 0 ? signUp.error.message : null;

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const parsed = SignUpInput.safeParse(form);
    if (!parsed.success) {
      setClientErrors(fieldErrorsFromIssues(parsed.error.issues));
      return;
    }
    setClientErrors({});
    signUp.mutate(form, {
      onSuccess: async ({ personalProjectId }) => {
        setSigningIn(true);
        const res = await signIn("credentials", {
          email: form.email,
          password: form.password,
          redirect: false,
        });
        if (res?.ok) {
          router.replace(`/projects/${personalProjectId}/clusters`);
          router.refresh();
        } else {
          router.replace("/sign-in");
        }
      },
    });
  }

  const set = (k: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [k]: e.target.value }));

  return (
    <div>
      <AuthHeading title="Create your account" prompt="Already have one?" href="/sign-in" link="Sign in" />
      <form onSubmit={onSubmit} className="mt-8 space-y-4" noValidate>
        <FormError message={formError} padding="py-2.5" />
        <InputField
          label="Full name"
          errors={errors.name}
          autoComplete="name"
          value={form.name}
          onChange={set("name")}
        />
        <EmailField label="Work email" errors={errors.email} value={form.email} onChange={set("email")} />
        <PasswordField
          autoComplete="new-password"
          errors={errors.password}
          value={form.password}
          onChange={set("password")}
        />
        <ul className="grid grid-cols-1 gap-1 text-xs" aria-label="Password rules">
          {PASSWORD_RULES.map((r) => {
            const ok = r.test(form.password);
            return (
              <li key={r.id} className={cn("flex items-center gap-1.5", ok ? "text-success" : "text-muted")}>
                {ok ? <Check className="size-3.5" aria-hidden /> : <Circle className="size-3" aria-hidden />}
                {r.label}
                <span className="sr-only">{ok ? "(met)" : "(not met)"}</span>
              </li>
            );
          })}
        </ul>
        <Button type="submit" className="w-full" loading={signUp.isPending || signingIn}>
          Create account
        </Button>
        <p className="text-center text-xs text-muted">
          You get a personal project to start in; invite your team later.
        </p>
      </form>
    </div>
  );
}
