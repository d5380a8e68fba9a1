import { z } from "zod";
import { line } from "./text";

export const Email = line()
  .trim()
  .toLowerCase()
  .max(254, "Email is too long")
  .pipe(z.email({ message: "Enter a valid email address" }));

/**
 * Password rules, shown on the sign-up form as a live checklist and enforced
 * by the server with the same functions.
 */
export const PASSWORD_RULES = [
  { id: "length", label: "At least 12 characters", test: (p: string) => p.length >= 12 },
  { id: "max", label: "At most 128 characters", test: (p: string) => p.length <= 128 },
  { id: "letter", label: "Contains a letter", test: (p: string) => /\p{L}/u.test(p) },
  { id: "other", label: "Contains a number or a symbol", test: (p: string) => /[^\p{L}\s]/u.test(p) },
] as const;

export const Password = line().superRefine((p, ctx) => {
  const failed = PASSWORD_RULES.filter((r) => !r.test(p));
  for (const rule of failed)
    ctx.addIssue({ code: "custom", message: `Password: ${rule.label.toLowerCase()}` });
});

export const SignUpInput = z
  .object({
    name: line().trim().min(1, "Enter your name").max(100, "Name is too long"),
    email: Email,
    password: Password,
  })
  .superRefine((v, ctx) => {
    const local = v.email.split("@")[0] ?? "";
    if (local.length >= 4 && v.password.toLowerCase().includes(local)) {
      ctx.addIssue({
        code: "custom",
        path: ["password"],
        message: "Password must not contain your email address",
      });
    }
  });
export type SignUpInput = z.infer<typeof SignUpInput>;

export const SignInInput = z.object({
  email: Email,
  password: z.string().min(1, "Enter your password").max(1024),
});
export type SignInInput = z.infer<typeof SignInInput>;
