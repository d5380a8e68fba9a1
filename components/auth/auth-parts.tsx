import Link from "next/link";
import type { ComponentProps } from "react";
import { InputField } from "@/components/ui/field";

/** The page's title, and a link to the other auth page ("New here? Create an account"). */
export function AuthHeading({
  title,
  prompt,
  href,
  link,
}: {
  title: string;
  prompt: string;
  href: string;
  link: string;
}) {
  return (
    <>
      <h1 className="text-2xl font-semibold tracking-tight text-fg">{title}</h1>
      <p className="mt-1.5 text-sm text-muted">
        {prompt}{" "}
        <Link href={href} className="font-medium text-primary hover:underline">
          {link}
        </Link>
      </p>
    </>
  );
}

type FieldProps = Omit<ComponentProps<typeof InputField>, "label" | "type" | "autoComplete">;

/** The email field of the auth forms ("Email" unless told). */
export function EmailField({ label = "Email", ...props }: FieldProps & { label?: string }) {
  return <InputField label={label} type="email" autoComplete="email" {...props} />;
}

/** The password field of the auth forms: the current password to sign in, a new one to sign up. */
export function PasswordField({
  autoComplete,
  ...props
}: FieldProps & { autoComplete: "current-password" | "new-password" }) {
  return <InputField label="Password" type="password" autoComplete={autoComplete} {...props} />;
}
