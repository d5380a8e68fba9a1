import { z } from "zod";
import { line, multiline } from "./text";

/** Gatekeeper constraints and templates as the cluster intent holds them (parameters are checked in domain/policies). */

const k8sName = (what: string) =>
  z
    .string()
    .trim()
    .min(1, `Enter a ${what}`)
    .max(63, `The ${what} must be at most 63 characters`)
    .regex(
      /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
      `The ${what} may contain lowercase letters, digits and '-', and must start and end with a letter or digit`,
    );

export const EnforcementAction = z.enum(["deny", "dryrun", "warn"], {
  message: "enforcementAction must be deny, dryrun or warn",
});
export type EnforcementAction = z.infer<typeof EnforcementAction>;

export const ENFORCEMENT_HELP: Record<EnforcementAction, string> = {
  deny: "Rejects violating objects at admission; the audit reports existing ones.",
  dryrun: "Only reports violations (audit); nothing is rejected.",
  warn: "Admits violating objects with a warning to the client; the audit reports them.",
};

export const ConstraintMatch = z.object({
  kinds: z
    .array(
      z.object({
        apiGroups: z.array(line().max(253)).max(10).default([""]),
        kinds: z
          .array(z.string().regex(/^[A-Z*][A-Za-z0-9]*$/, "Kinds are names such as Pod or Service"))
          .min(1)
          .max(20),
      }),
    )
    .min(1, "Match at least one kind")
    .max(10),
  namespaces: z.array(k8sName("namespace")).max(50).default([]),
  excludedNamespaces: z.array(k8sName("namespace")).max(50).default([]),
  labelSelector: z
    .object({
      matchLabels: z
        .record(
          z
            .string()
            .regex(/^([a-z0-9.-]+\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/, "Not a label key"),
          z.string().regex(/^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/, "Not a label value"),
        )
        .default({}),
    })
    .default({ matchLabels: {} }),
});
export type ConstraintMatch = z.infer<typeof ConstraintMatch>;

export const ConstraintSpec = z.object({
  name: k8sName("constraint name"),
  /** The template's kind (K8sAllowedRepos, or a custom template's). */
  kind: z.string().regex(/^[A-Z][A-Za-z0-9]*$/, "Choose a constraint template"),
  enforcementAction: EnforcementAction,
  /** A disabled constraint stays in the intent but is not applied to the cluster. */
  enabled: z.boolean().default(true),
  parameters: z.record(line().max(253), z.unknown()).default({}),
  match: ConstraintMatch,
});
export type ConstraintSpec = z.infer<typeof ConstraintSpec>;

export const PoliciesSpec = z.object({
  /** OPA Gatekeeper (admission webhook and audit); on by default. */
  gatekeeper: z.boolean().default(true),
  /** Custom ConstraintTemplate manifests (YAML, as uploaded). */
  templates: z.array(multiline().max(100_000, "A template is at most 100 KB")).max(30).default([]),
  constraints: z.array(ConstraintSpec).max(100, "At most 100 constraints per cluster").default([]),
});
export type PoliciesSpec = z.infer<typeof PoliciesSpec>;

export const AddonChoice = z.object({
  id: line().min(1, "Choose an addon").max(100),
  version: line().min(1, "Choose a version").max(40),
  /** Helm-style values, YAML. */
  values: multiline().max(64_000, "Values are at most 64 KB"),
});
export type AddonChoice = z.infer<typeof AddonChoice>;
