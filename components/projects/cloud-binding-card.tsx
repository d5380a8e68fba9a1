"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Cloud, Lock } from "lucide-react";
import { useState, type FormEvent } from "react";
import { fieldErrorsOf, useTRPC } from "@/components/trpc/client";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardHeader } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { Field, FieldErrors, InputField, SelectField, Textarea } from "@/components/ui/field";
import { toast } from "@/components/ui/toast-store";
import type { CloudBindingView } from "@/server/contracts/cloud";
import { CloudInUse } from "./cloud-in-use";

type AuthType = "application_credential" | "password";

interface FormState {
  authUrl: string;
  region: string;
  iface: "public" | "internal" | "admin";
  authType: AuthType;
  principal: string;
  userDomainName: string;
  projectName: string;
  projectId: string;
  projectDomainName: string;
  secret: string;
  caCertPem: string;
}

function initial(b: CloudBindingView | undefined): FormState {
  const bound = b?.mode === "openstack" ? b : null;
  return {
    authUrl: bound?.authUrl ?? "",
    region: bound?.region ?? "RegionOne",
    iface: bound?.interface ?? "public",
    authType: bound?.authType ?? "application_credential",
    principal: bound?.principal ?? "",
    userDomainName: bound?.userDomainName ?? "Default",
    projectName: bound?.projectName ?? "",
    projectId: bound?.cloudProjectId ?? "",
    projectDomainName: bound?.projectDomainName ?? "Default",
    secret: "",
    caCertPem: "",
  };
}

/** The fields only password authentication has: where the user and project live. */
const PASSWORD_SCOPE = [
  ["projectName", "Project name"],
  ["projectId", "Project ID (instead of name)"],
  ["userDomainName", "User domain"],
  ["projectDomainName", "Project domain"],
] as const;

export function CloudBindingCard({ projectId, canEdit }: { projectId: string; canEdit: boolean }) {
  const trpc = useTRPC();
  const binding = useQuery(trpc.cloud.get.queryOptions({ projectId }));
  const [editing, setEditing] = useState(false);
  const b = binding.data;
  return (
    <Card id="cloud">
      <CardHeader
        title="Cloud"
        description="The OpenStack cloud this project's clusters are created in. Secrets are encrypted at rest and never shown again."
        actions={
          canEdit &&
          b &&
          !editing && (
            <Button size="sm" variant="secondary" onClick={() => setEditing(true)}>
              {b.mode === "emulator" ? "Connect OpenStack" : "Edit credentials"}
            </Button>
          )
        }
      />
      <div className="px-5 py-4">
        {binding.isPending && <p className="text-sm text-muted">Loading the cloud settings…</p>}
        {binding.error && (
          <p role="alert" className="text-sm text-danger">
            The cloud settings could not be loaded: {binding.error.message}
          </p>
        )}
        {b && !editing && <BindingSummary binding={b} />}
        {b && editing && <BindingForm projectId={projectId} binding={b} onDone={() => setEditing(false)} />}
        {!editing && (
          <div className="mt-4">
            <CloudInUse projectId={projectId} />
          </div>
        )}
      </div>
    </Card>
  );
}

function BindingSummary({ binding }: { binding: CloudBindingView }) {
  if (binding.mode === "emulator") {
    return (
      <div className="flex items-center gap-3">
        <span className="flex size-9 items-center justify-center rounded-lg bg-primary/10 text-primary">
          <Cloud className="size-4.5" aria-hidden />
        </span>
        <div>
          <div className="text-sm font-medium text-fg">
            The console&apos;s default cloud <Badge tone="primary">default</Badge>
          </div>
          <div className="text-xs text-muted">
            No credentials of its own: the operator&apos;s cloud if one is configured, else the built-in
            OpenStack emulator. &ldquo;In use&rdquo; below names it.
          </div>
        </div>
      </div>
    );
  }
  const rows: Array<[string, string | null]> = [
    ["Auth URL", binding.authUrl],
    ["Region", binding.region],
    ["Interface", binding.interface],
    ["Authentication", binding.authType === "password" ? "Username and password" : "Application credential"],
    [binding.authType === "password" ? "Username" : "Credential ID", binding.principal],
    ...(binding.authType === "password"
      ? ([
          ["Project", binding.projectName ?? binding.cloudProjectId],
          [
            "Domains (user / project)",
            `${binding.userDomainName ?? "—"} / ${binding.projectDomainName ?? "—"}`,
          ],
        ] as Array<[string, string | null]>)
      : []),
    ["Custom CA", binding.hasCaCert ? "Yes" : "No"],
  ];
  return (
    <dl className="grid grid-cols-[12rem_1fr] gap-x-6 gap-y-2 text-sm">
      {rows.map(([k, v]) => (
        <div key={k} className="contents">
          <dt className="text-muted">{k}</dt>
          <dd className="font-medium break-all text-fg">{v ?? "—"}</dd>
        </div>
      ))}
      <dt className="text-muted">Secret</dt>
      <dd className="flex items-center gap-1.5 text-fg">
        <Lock className="size-3.5 text-success" aria-hidden /> Stored encrypted · updated{" "}
        {binding.updatedAt.toLocaleString()}
      </dd>
    </dl>
  );
}

function BindingForm({
  projectId,
  binding,
  onDone,
}: {
  projectId: string;
  binding: CloudBindingView;
  onDone: () => void;
}) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const [f, setF] = useState<FormState>(() => initial(binding));
  const save = useMutation(trpc.cloud.set.mutationOptions({ meta: { inlineErrors: true } }));
  const clear = useMutation(trpc.cloud.clear.mutationOptions());
  const errors = fieldErrorsOf(save.error);
  const stored = binding.mode === "openstack";
  const principalKey = f.authType === "password" ? "auth.username" : "auth.applicationCredentialId";
  // Every message is shown: next to its field, or (when no field on screen has it) below the form.
  const shown = new Set([
    "authUrl",
    "region",
    "interface",
    principalKey,
    "auth.secret",
    "caCertPem",
    ...(f.authType === "password" ? PASSWORD_SCOPE.map(([k]) => `auth.${k}`) : []),
  ]);
  const elsewhere = Object.entries(errors)
    .filter(([k]) => !shown.has(k))
    .flatMap(([, m]) => m);
  const set = (k: keyof FormState) => (e: { target: { value: string } }) =>
    setF((s) => ({ ...s, [k]: e.target.value }));
  const refresh = () => qc.invalidateQueries({ queryKey: trpc.cloud.get.queryKey({ projectId }) });

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    const secret = f.secret === "" ? undefined : f.secret;
    const auth =
      f.authType === "application_credential"
        ? { type: "application_credential" as const, applicationCredentialId: f.principal, secret }
        : {
            type: "password" as const,
            username: f.principal,
            userDomainName: f.userDomainName,
            projectName: f.projectName || undefined,
            projectId: f.projectId || undefined,
            projectDomainName: f.projectDomainName,
            secret,
          };
    save.mutate(
      {
        projectId,
        authUrl: f.authUrl,
        region: f.region,
        interface: f.iface,
        auth,
        caCertPem: f.caCertPem || undefined,
      },
      {
        onSuccess: () => {
          toast({
            variant: "success",
            title: "Cloud credentials saved",
            description: "The secret is stored encrypted.",
          });
          void refresh();
          onDone();
        },
      },
    );
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      <div className="grid grid-cols-[2fr_1fr_1fr] gap-4">
        <InputField
          label="Auth URL (Keystone v3)"
          errors={errors.authUrl}
          value={f.authUrl}
          onChange={set("authUrl")}
          placeholder="https://keystone.example.com:5000/v3"
        />
        <InputField label="Region" errors={errors.region} value={f.region} onChange={set("region")} />
        <SelectField label="Interface" errors={errors.interface} value={f.iface} onChange={set("iface")}>
          <option value="public">public</option>
          <option value="internal">internal</option>
          <option value="admin">admin</option>
        </SelectField>
      </div>

      <fieldset>
        <legend className="mb-1.5 text-sm font-medium text-fg">Authentication</legend>
        <div role="radiogroup" className="inline-flex rounded-md border border-border bg-surface-2 p-0.5">
          {(["application_credential", "password"] as const).map((t) => (
            <label
              key={t}
              className={cn(
                "cursor-pointer rounded px-3 py-1.5 text-sm font-medium has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-ring",
                f.authType === t ? "bg-surface text-fg shadow-xs" : "text-muted",
              )}
            >
              <input
                type="radio"
                name="authType"
                value={t}
                checked={f.authType === t}
                onChange={() => setF((s) => ({ ...s, authType: t }))}
                className="sr-only"
              />
              {t === "application_credential" ? "Application credential" : "Username and password"}
            </label>
          ))}
        </div>
      </fieldset>

      <div className="grid grid-cols-2 gap-4">
        <InputField
          label={f.authType === "password" ? "Username" : "Application credential ID"}
          errors={errors[principalKey]}
          value={f.principal}
          onChange={set("principal")}
          autoComplete="off"
        />
        <InputField
          label={f.authType === "password" ? "Password" : "Application credential secret"}
          hint={stored ? "Leave empty to keep the stored secret." : "Write-only: it is never shown again."}
          errors={errors["auth.secret"]}
          type="password"
          value={f.secret}
          onChange={set("secret")}
          autoComplete="new-password"
          placeholder={stored ? "•••••••• (stored)" : ""}
        />
        {f.authType === "password" && (
          <>
            {PASSWORD_SCOPE.map(([k, label]) => (
              <InputField key={k} label={label} errors={errors[`auth.${k}`]} value={f[k]} onChange={set(k)} />
            ))}
          </>
        )}
      </div>
      <Field
        label="CA certificate (PEM, optional)"
        hint="For clouds whose endpoints use a private certificate authority."
        errors={errors.caCertPem}
      >
        {(p) => (
          <Textarea
            {...p}
            rows={3}
            value={f.caCertPem}
            onChange={set("caCertPem")}
            placeholder="-----BEGIN CERTIFICATE-----"
          />
        )}
      </Field>
      {elsewhere.length > 0 && (
        <div className="rounded-md border border-danger/30 bg-danger/10 px-3 py-2">
          <FieldErrors messages={elsewhere} />
        </div>
      )}
      <div className="flex items-center gap-2 pt-1">
        <Button type="submit" loading={save.isPending}>
          Save credentials
        </Button>
        <Button type="button" variant="secondary" onClick={onDone}>
          Cancel
        </Button>
        {stored && (
          <Button
            type="button"
            variant="ghost"
            className="ml-auto text-danger"
            loading={clear.isPending}
            onClick={() =>
              clear.mutate(
                { projectId },
                {
                  onSuccess: () => {
                    toast({ variant: "success", title: "Switched back to the built-in emulator" });
                    void refresh();
                    onDone();
                  },
                },
              )
            }
          >
            Use built-in emulator instead
          </Button>
        )}
      </div>
    </form>
  );
}
