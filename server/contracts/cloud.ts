import { z } from "zod";
import { line, multiline } from "./text";
import { ProjectScoped } from "./project";

function hasUserInfo(u: string): boolean {
  try {
    const url = new URL(u);
    return url.username !== "" || url.password !== "";
  } catch {
    return false;
  }
}

/**
 * A required one-line value, trimmed, with messages a person reads next to the field:
 * `what` names it as in the form ("the region"); zod's own texts never reach the page.
 */
const trimmed = (max: number, what: string, enter = `Enter ${what}`) =>
  line()
    .trim()
    .min(1, enter)
    .max(max, `${what.charAt(0).toUpperCase()}${what.slice(1)} is too long: at most ${max} characters`);

export const CloudInterface = z.enum(["public", "internal", "admin"]);

/**
 * OpenStack credentials a project deploys with. The secret (password or
 * application-credential secret) is write-only: it is accepted here and
 * never returned. Updating other fields may omit it to keep the stored one.
 */
export const SetCloudBindingInput = ProjectScoped.extend({
  authUrl: z
    .url({ message: "Enter the Keystone URL, e.g. https://keystone.example.com:5000/v3", abort: true })
    .refine((u) => /^https?:\/\//.test(u), "The auth URL must start with http:// or https://")
    .refine((u) => /\/v3\/?$/.test(u), "The auth URL must be Keystone v3 (end with /v3)")
    // Everyone in the project sees the URL: a user name or password in it would be shown to viewers.
    .refine(
      (u) => !hasUserInfo(u),
      "The auth URL must not contain a user name or password: enter them under credentials",
    ),
  region: trimmed(64, "the region", "Enter the region, e.g. RegionOne").regex(
    /^[\w.-]*$/,
    "Region names contain only letters, digits, '.', '_' and '-'",
  ),
  interface: z
    .enum(CloudInterface.options, { message: "Choose the public, internal or admin interface" })
    .default("public"),
  auth: z.discriminatedUnion(
    "type",
    [
      z.object({
        type: z.literal("application_credential"),
        applicationCredentialId: trimmed(128, "the application credential ID"),
        secret: line()
          .min(1, "Enter the application credential secret")
          .max(1024, "The secret is too long: at most 1024 characters")
          .optional(),
      }),
      z.object({
        type: z.literal("password"),
        username: trimmed(255, "the username"),
        userDomainName: trimmed(255, "the user domain", "Enter the user domain (usually Default)").default(
          "Default",
        ),
        projectName: trimmed(255, "the project name").optional(),
        projectId: trimmed(64, "the project ID").optional(),
        projectDomainName: trimmed(
          255,
          "the project domain",
          "Enter the project domain (usually Default)",
        ).default("Default"),
        secret: line()
          .min(1, "Enter the password")
          .max(1024, "The password is too long: at most 1024 characters")
          .optional(),
      }),
    ],
    { message: "Choose how to sign in: an application credential, or a username and password" },
  ),
  caCertPem: multiline()
    .trim()
    .max(64_000, "The CA certificate is too long: at most 64,000 characters")
    .refine(
      (v) => v === "" || v.includes("-----BEGIN CERTIFICATE-----"),
      "Paste a PEM certificate (-----BEGIN CERTIFICATE-----)",
    )
    .optional(),
});
export type SetCloudBindingInput = z.infer<typeof SetCloudBindingInput>;

export const ClearCloudBindingInput = ProjectScoped;

/** What the browser may see of a binding. Never contains the secret. */
export type CloudBindingView =
  | { mode: "emulator" }
  | {
      mode: "openstack";
      authUrl: string;
      region: string;
      interface: z.infer<typeof CloudInterface>;
      authType: "password" | "application_credential";
      principal: string;
      userDomainName: string | null;
      projectName: string | null;
      cloudProjectId: string | null;
      projectDomainName: string | null;
      hasCaCert: boolean;
      secretSet: true;
      updatedAt: Date;
    };
