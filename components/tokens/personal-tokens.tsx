"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { KeyRound, Plus } from "lucide-react";
import { useId, useRef, useState } from "react";
import { fieldErrorsOf, useTRPC } from "@/components/trpc/client";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardHeader } from "@/components/ui/card";
import { Dialog, DialogActions } from "@/components/ui/dialog";
import { EmptyState } from "@/components/ui/empty-state";
import { Field, InputField, SelectField } from "@/components/ui/field";
import { LoadError, LoadingBlock } from "@/components/ui/load-state";
import { NumberInput } from "@/components/ui/number-field";
import { toast } from "@/components/ui/toast-store";
import { PROJECT_ROLES, ROLE_LABELS, roleAtLeast, type ProjectRole } from "@/server/contracts/roles";
import type { TokenView } from "@/server/contracts/tokens";
import { TOKEN_DEFAULT_DAYS, TOKEN_MAX_DAYS } from "@/server/contracts/token-lifetimes";
import {
  BearerUsage,
  expiryHint,
  focusToken,
  RevokeTokenDialog,
  SecretOnce,
  TokenTable,
} from "./token-parts";

type ProjectOption = { id: string; name: string; role: ProjectRole };

/** The signed-in person's API tokens: list, create (secret shown once), revoke. */
export function PersonalTokens() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  // Last use changes as scripts call the API: it shows within 15 s.
  const tokens = useQuery(trpc.token.list.queryOptions(undefined, { refetchInterval: 15_000 }));
  const projects = useQuery(trpc.project.list.queryOptions());
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<TokenView | null>(null);
  const revoke = useMutation(trpc.token.revoke.mutationOptions());
  // The Create button on screen: the empty state's, or the list's once there are tokens.
  const createRef = useRef<HTMLButtonElement>(null);
  const refresh = () => qc.invalidateQueries({ queryKey: trpc.token.list.queryKey() });

  // Both: the table names each token's projects.
  if (tokens.isPending || projects.isPending) return <LoadingBlock label="Loading API tokens…" />;
  if (tokens.isError) return <LoadError>{tokens.error.message}</LoadError>;
  if (projects.isError) return <LoadError>{projects.error.message}</LoadError>;

  const names = new Map(projects.data.map((p) => [p.id, p.name]));
  const createButton = (
    <Button ref={createRef} size="sm" onClick={() => setCreating(true)}>
      <Plus className="size-4" aria-hidden /> Create token
    </Button>
  );

  return (
    <>
      {tokens.data.length === 0 ? (
        <EmptyState
          icon={<KeyRound className="size-6" aria-hidden />}
          title="No API tokens yet"
          description={
            <>
              <p>
                A token lets automation — CI pipelines, scripts, Terraform — call the console&apos;s REST API
                at <code className="font-mono text-xs text-fg">/api/v1</code> as you, in the projects you
                choose and with at most the role you choose. Send it in the header{" "}
                <code className="font-mono text-xs text-fg">Authorization: Bearer &lt;token&gt;</code>.
              </p>
              <p className="mt-2">
                For automation that should outlive your membership, ask a project admin for a service account.
              </p>
            </>
          }
          action={
            <Button ref={createRef} onClick={() => setCreating(true)}>
              <Plus className="size-4" aria-hidden /> Create token
            </Button>
          }
        />
      ) : (
        <Card>
          <CardHeader
            title="Personal access tokens"
            description={
              <>
                Each acts as you, only in its projects and with at most its role. Send it as{" "}
                <code className="font-mono text-xs text-fg">Authorization: Bearer &lt;token&gt;</code> to{" "}
                <code className="font-mono text-xs text-fg">/api/v1</code>.
              </>
            }
            actions={createButton}
          />
          <TokenTable
            caption="Your API tokens, newest first"
            tokens={tokens.data}
            onRevoke={setRevoking}
            empty="No tokens."
            access={(t) => (
              <div className="min-w-0 text-xs">
                <ul className="space-y-0.5">
                  {(t.projectIds ?? []).map((id) => (
                    <li key={id} className="truncate text-fg" title={names.get(id) ?? id}>
                      {names.get(id) ?? (
                        <span className="text-muted" title={`You are no longer a member of ${id}`}>
                          Project you left
                        </span>
                      )}
                    </li>
                  ))}
                </ul>
                {t.maxRole && (
                  <div className="mt-0.5 whitespace-nowrap text-muted">
                    At most <span className="text-fg">{ROLE_LABELS[t.maxRole].toLowerCase()}</span>
                  </div>
                )}
              </div>
            )}
          />
        </Card>
      )}

      <CreatePersonalTokenDialog
        open={creating}
        onOpenChange={setCreating}
        projects={projects.data}
        onCreated={() => void refresh()}
        // After the first token the empty state's button is gone: focus the list's instead.
        onCloseAutoFocus={(e) => {
          if (!createRef.current) return;
          e.preventDefault();
          createRef.current.focus();
        }}
      />
      <RevokeTokenDialog
        token={revoking}
        pending={revoke.isPending}
        onCancel={() => setRevoking(null)}
        onConfirm={(t) =>
          revoke.mutate(
            { tokenId: t.id },
            {
              onSuccess: () => {
                toast({ variant: "success", title: `${t.name} revoked` });
                void refresh().then(() => focusToken(t.id));
              },
              onSettled: () => setRevoking(null),
            },
          )
        }
      />
    </>
  );
}

function CreatePersonalTokenDialog({
  open,
  onOpenChange,
  projects,
  onCreated,
  onCloseAutoFocus,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  projects: ProjectOption[];
  onCreated: () => void;
  onCloseAutoFocus: (e: Event) => void;
}) {
  const trpc = useTRPC();
  const [name, setName] = useState("");
  const [chosen, setChosen] = useState<string[]>([]);
  const [role, setRole] = useState<ProjectRole>("viewer");
  const [days, setDays] = useState(TOKEN_DEFAULT_DAYS);
  // The secret lives here (and in the mutation until reset), never in a query cache.
  const [secret, setSecret] = useState<string | null>(null);
  // gcTime 0: the finished mutation (with the secret in its data) leaves the cache once reset.
  const create = useMutation(trpc.token.create.mutationOptions({ meta: { inlineErrors: true }, gcTime: 0 }));
  const errors = fieldErrorsOf(create.error);
  const projectErrors = Object.entries(errors)
    .filter(([k]) => k === "projectIds" || k.startsWith("projectIds."))
    .flatMap(([, v]) => v);
  const groupId = useId();
  // Chosen projects where the person's own role is below the token's: the server refuses those.
  const tooHigh = projects.filter((p) => chosen.includes(p.id) && !roleAtLeast(p.role, role));

  function close(o: boolean) {
    if (o) return onOpenChange(true);
    setSecret(null);
    setName("");
    setChosen([]);
    setRole("viewer");
    setDays(TOKEN_DEFAULT_DAYS);
    create.reset();
    onOpenChange(false);
  }

  function onSubmit() {
    create.mutate(
      { name, projectIds: chosen, maxRole: role, expiresInDays: days },
      {
        onSuccess: (r) => {
          setSecret(r.secret);
          create.reset();
          onCreated();
        },
      },
    );
  }

  // One dialog for both steps, so focus stays inside it when the form gives way to the secret.
  return (
    <Dialog
      open={open}
      onOpenChange={close}
      onCloseAutoFocus={onCloseAutoFocus}
      size="lg"
      title={secret ? "Token created" : "Create API token"}
      description={
        secret
          ? `${name} works right away, until it expires or you revoke it.`
          : "The token acts as you through the REST API, limited to the projects and role chosen here."
      }
    >
      {secret ? (
        <>
          <SecretOnce secret={secret} usage={<BearerUsage path="/api/v1/projects" />} />
          <div className="mt-5 flex justify-end">
            <Button onClick={() => close(false)}>Done</Button>
          </div>
        </>
      ) : (
        <form
          className="space-y-4"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            onSubmit();
          }}
        >
          <InputField
            label="Name"
            hint="What uses it, so you know what breaks when you revoke it."
            errors={errors.name}
            autoFocus
            autoComplete="off"
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="e.g. GitHub Actions deploy"
          />
          <fieldset
            aria-describedby={`${groupId}-${projectErrors.length ? "error" : "hint"}`}
            className="space-y-1.5"
          >
            <legend className="mb-1.5 text-sm font-medium text-fg">Projects</legend>
            {projects.length === 0 ? (
              <p className="text-sm text-muted">You are not a member of any project yet.</p>
            ) : (
              <ul
                className={`max-h-48 divide-y divide-border overflow-y-auto rounded-md border ${projectErrors.length ? "border-danger" : "border-border"}`}
              >
                {projects.map((p) => (
                  <li key={p.id}>
                    <label className="flex cursor-pointer items-center gap-2.5 px-3 py-2 text-sm hover:bg-surface-2">
                      <input
                        type="checkbox"
                        className="size-4 shrink-0 accent-[var(--color-primary)]"
                        checked={chosen.includes(p.id)}
                        onChange={(e) =>
                          setChosen((c) => (e.target.checked ? [...c, p.id] : c.filter((id) => id !== p.id)))
                        }
                      />
                      <span className="min-w-0 flex-1 truncate text-fg">{p.name}</span>
                      <span className="shrink-0 text-xs text-muted">
                        You: <Badge>{ROLE_LABELS[p.role]}</Badge>
                      </span>
                    </label>
                  </li>
                ))}
              </ul>
            )}
            {projectErrors.length > 0 ? (
              <p id={`${groupId}-error`} role="alert" className="text-xs font-medium text-danger">
                {projectErrors.join(" ")}
              </p>
            ) : (
              <p id={`${groupId}-hint`} className="text-xs text-muted">
                Other projects look absent to the token.
              </p>
            )}
          </fieldset>
          <div className="grid grid-cols-2 gap-4">
            <SelectField
              label="Role"
              hint={
                tooHigh.length > 0 ? (
                  <span className="text-warning">
                    You are{" "}
                    {tooHigh.map((p) => `${ROLE_LABELS[p.role].toLowerCase()} in ${p.name}`).join(", ")}:
                    choose a lower role or leave {tooHigh.length === 1 ? "it" : "them"} out.
                  </span>
                ) : (
                  "The most the token may do. It never exceeds your own role in each project: if yours drops, so does the token's."
                )
              }
              errors={errors.maxRole}
              value={role}
              onChange={(e) => setRole(e.target.value as ProjectRole)}
            >
              {PROJECT_ROLES.map((r) => (
                <option key={r} value={r}>
                  {ROLE_LABELS[r]}
                </option>
              ))}
            </SelectField>
            <Field label="Expires in (days)" hint={expiryHint(days)} errors={errors.expiresInDays}>
              {(p) => (
                <NumberInput
                  {...p}
                  min={1}
                  max={TOKEN_MAX_DAYS}
                  step={1}
                  value={days}
                  onValueChange={setDays}
                />
              )}
            </Field>
          </div>
          <DialogActions onCancel={() => close(false)}>
            <Button type="submit" loading={create.isPending}>
              Create token
            </Button>
          </DialogActions>
        </form>
      )}
    </Dialog>
  );
}
