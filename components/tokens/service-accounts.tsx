"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { TRPCClientError } from "@trpc/client";
import { Bot, KeyRound, Lock, Plus, Trash2 } from "lucide-react";
import Link from "next/link";
import { useRef, useState } from "react";
import { fieldErrorsOf, useTRPC, type AppClientError } from "@/components/trpc/client";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Dialog, DialogActions, FormDialog } from "@/components/ui/dialog";
import { EmptyState } from "@/components/ui/empty-state";
import { Field, InputField, Select, SelectField } from "@/components/ui/field";
import { LoadError, LoadingBlock } from "@/components/ui/load-state";
import { NumberInput } from "@/components/ui/number-field";
import { toast } from "@/components/ui/toast-store";
import {
  PROJECT_ROLES,
  ROLE_DESCRIPTIONS,
  ROLE_LABELS,
  roleAtLeast,
  type ProjectRole,
} from "@/server/contracts/roles";
import type { ServiceAccountView, TokenView } from "@/server/contracts/tokens";
import { TOKEN_DEFAULT_DAYS, TOKEN_MAX_DAYS } from "@/server/contracts/token-lifetimes";
import {
  BearerUsage,
  expiryHint,
  focusLater,
  focusToken,
  RevokeTokenDialog,
  SecretOnce,
  TokenTable,
} from "./token-parts";

const isForbidden = (error: unknown) =>
  error instanceof TRPCClientError && (error as AppClientError).data?.code === "FORBIDDEN";

/** A project's service accounts and their tokens: admins and owners manage them, others see why not. */
export function ServiceAccounts({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const project = useQuery(trpc.project.get.queryOptions({ projectId }));
  if (project.isPending) return <LoadingBlock label="Loading service accounts…" />;
  if (project.isError) return <LoadError>{project.error.message}</LoadError>;
  if (!roleAtLeast(project.data.role, "admin")) return <AdminsOnly role={project.data.role} />;
  return <ServiceAccountList projectId={projectId} role={project.data.role} />;
}

function AdminsOnly({ role }: { role: ProjectRole }) {
  return (
    <EmptyState
      icon={<Lock className="size-6" aria-hidden />}
      title="Admins manage service accounts"
      description={
        <>
          Service accounts let pipelines and tools use this project through the REST API with tokens of their
          own. Only the project&apos;s admins and owners can see and manage them; you are{" "}
          {role === "admin" ? "an" : "a"} {ROLE_LABELS[role].toLowerCase()} here. Ask an admin if a pipeline
          needs one, or create a personal API token for your own scripts.
        </>
      }
      action={
        <Button variant="secondary" asChild>
          <Link href="/account/tokens">
            <KeyRound className="size-4" aria-hidden /> Your API tokens
          </Link>
        </Button>
      }
    />
  );
}

type Pending = { account: ServiceAccountView; token: TokenView };

function ServiceAccountList({ projectId, role }: { projectId: string; role: ProjectRole }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  // Last use changes as pipelines call the API: it shows within 15 s.
  const list = useQuery(trpc.serviceAccount.list.queryOptions({ projectId }, { refetchInterval: 15_000 }));
  const [creating, setCreating] = useState(false);
  const [tokenFor, setTokenFor] = useState<ServiceAccountView | null>(null);
  const [deleting, setDeleting] = useState<ServiceAccountView | null>(null);
  const [revoking, setRevoking] = useState<Pending | null>(null);
  const updateRole = useMutation(trpc.serviceAccount.updateRole.mutationOptions());
  const revoke = useMutation(trpc.serviceAccount.revokeToken.mutationOptions());
  const refresh = () => qc.invalidateQueries({ queryKey: trpc.serviceAccount.list.queryKey({ projectId }) });
  const isOwner = role === "owner";
  // The Create button on screen: the empty state's, or the list's once there are accounts.
  const createRef = useRef<HTMLButtonElement>(null);

  if (list.isPending) return <LoadingBlock label="Loading service accounts…" />;
  // The role may have dropped since the page loaded.
  if (list.isError && isForbidden(list.error)) return <AdminsOnly role="member" />;
  if (list.isError) return <LoadError>{list.error.message}</LoadError>;

  const createButton = (
    <Button ref={createRef} onClick={() => setCreating(true)}>
      <Plus className="size-4" aria-hidden /> Create service account
    </Button>
  );

  return (
    <>
      {list.data.length === 0 ? (
        <EmptyState
          icon={<Bot className="size-6" aria-hidden />}
          title="No service accounts yet"
          description={
            <>
              <p>
                A service account is a member of this project that is not a person. CI pipelines and tools
                call the REST API at <code className="font-mono text-xs text-fg">/api/v1</code> with its
                tokens, sent as{" "}
                <code className="font-mono text-xs text-fg">Authorization: Bearer &lt;token&gt;</code>.
              </p>
              <p className="mt-2">
                It has its own role and audit trail, and keeps working when people leave the project.
              </p>
            </>
          }
          action={createButton}
        />
      ) : (
        <div className="space-y-4">
          <div className="flex items-center gap-3">
            <span className="text-xs text-muted">
              {list.data.length} service account{list.data.length === 1 ? "" : "s"}
            </span>
            <div className="ml-auto">{createButton}</div>
          </div>
          {list.data.map((a) => {
            // Admins cannot change, delete or make tokens for an owner account (the server refuses too).
            const locked = a.role === "owner" && !isOwner;
            const lockedWhy = locked ? "Only an owner can change an owner service account" : undefined;
            const live = a.tokens.filter((t) => t.state === "active").length;
            return (
              <Card key={a.id} data-testid={`service-account-${a.name}`}>
                <section aria-labelledby={`sa-${a.id}`}>
                  <div className="flex items-start justify-between gap-4 border-b border-border px-5 py-4">
                    <div className="min-w-0">
                      <h2
                        id={`sa-${a.id}`}
                        className="flex items-center gap-2 text-[15px] font-semibold text-fg"
                      >
                        <Bot className="size-4 shrink-0 text-muted" aria-hidden />
                        <span className="truncate font-mono">{a.name}</span>
                      </h2>
                      <p className="mt-0.5 text-sm break-words text-muted">
                        {a.description && <>{a.description} · </>}
                        <span className="whitespace-nowrap">
                          {live === 0 ? "No" : live} active token{live === 1 ? "" : "s"}
                        </span>
                      </p>
                    </div>
                    <div className="flex shrink-0 items-center gap-2">
                      <label className="text-xs text-muted" htmlFor={`sa-role-${a.id}`}>
                        Role<span className="sr-only"> of {a.name}</span>
                      </label>
                      <Select
                        id={`sa-role-${a.id}`}
                        value={a.role}
                        disabled={locked || updateRole.isPending}
                        title={lockedWhy}
                        className="h-8 w-32"
                        onChange={(e) => {
                          const next = e.target.value as ProjectRole;
                          updateRole.mutate(
                            { projectId, serviceAccountId: a.id, role: next },
                            {
                              onSuccess: () => {
                                toast({
                                  variant: "success",
                                  title: `${a.name} is now ${ROLE_LABELS[next].toLowerCase()}`,
                                });
                                void refresh();
                              },
                              onError: () => void refresh(),
                            },
                          );
                        }}
                      >
                        {PROJECT_ROLES.filter((r) => isOwner || r !== "owner" || a.role === "owner").map(
                          (r) => (
                            <option key={r} value={r}>
                              {ROLE_LABELS[r]}
                            </option>
                          ),
                        )}
                      </Select>
                      <Button
                        variant="secondary"
                        size="sm"
                        disabled={locked}
                        title={lockedWhy}
                        onClick={() => setTokenFor(a)}
                        aria-label={`Create token for ${a.name}`}
                      >
                        <Plus className="size-4" aria-hidden /> Token
                      </Button>
                      <Button
                        variant="ghost"
                        size="sm"
                        className="text-danger"
                        disabled={locked}
                        title={lockedWhy}
                        onClick={() => setDeleting(a)}
                        aria-label={`Delete ${a.name}`}
                      >
                        <Trash2 className="size-4" aria-hidden /> Delete
                      </Button>
                    </div>
                  </div>
                  <TokenTable
                    caption={`Tokens of ${a.name}, newest first`}
                    tokens={a.tokens}
                    onRevoke={(token) => setRevoking({ account: a, token })}
                    empty={
                      <>No tokens yet. Make one per pipeline or tool, so each can be revoked on its own.</>
                    }
                  />
                </section>
              </Card>
            );
          })}
        </div>
      )}

      <CreateServiceAccountDialog
        projectId={projectId}
        open={creating}
        onOpenChange={setCreating}
        canGrantOwner={isOwner}
        // The first account replaces the empty state (and its button): focus the button on screen then.
        onCreated={() => void refresh().then(() => focusLater(createRef))}
      />
      <CreateAccountTokenDialog
        projectId={projectId}
        account={tokenFor}
        onClose={() => setTokenFor(null)}
        onCreated={() => void refresh()}
      />
      <DeleteServiceAccountDialog
        projectId={projectId}
        account={deleting}
        onClose={() => setDeleting(null)}
        // The card (and the Delete button that opened the dialog) is gone.
        onDeleted={() => void refresh().then(() => focusLater(createRef))}
      />
      <RevokeTokenDialog
        token={revoking?.token ?? null}
        pending={revoke.isPending}
        onCancel={() => setRevoking(null)}
        onConfirm={(t) =>
          revoking &&
          revoke.mutate(
            { projectId, serviceAccountId: revoking.account.id, tokenId: t.id },
            {
              onSuccess: () => {
                toast({ variant: "success", title: `${revoking.account.name}/${t.name} revoked` });
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

function CreateServiceAccountDialog({
  projectId,
  open,
  onOpenChange,
  canGrantOwner,
  onCreated,
}: {
  projectId: string;
  open: boolean;
  onOpenChange: (open: boolean) => void;
  canGrantOwner: boolean;
  onCreated: () => void;
}) {
  const trpc = useTRPC();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [role, setRole] = useState<ProjectRole>("member");
  const create = useMutation(trpc.serviceAccount.create.mutationOptions({ meta: { inlineErrors: true } }));
  const errors = fieldErrorsOf(create.error);

  function reset() {
    setName("");
    setDescription("");
    setRole("member");
    create.reset();
  }

  return (
    <FormDialog
      open={open}
      onOpenChange={onOpenChange}
      onClose={reset}
      title="Create service account"
      description="A member of this project for automation, with its own role. Make tokens for it afterwards."
      onSubmit={() =>
        create.mutate(
          { projectId, name, description, role },
          {
            onSuccess: (a) => {
              toast({
                variant: "success",
                title: `Service account ${a.name} created`,
                description: "Create a token for it to call the API.",
              });
              reset();
              onOpenChange(false);
              onCreated();
            },
          },
        )
      }
    >
      <InputField
        label="Name"
        hint="Lower-case letters, digits and -, 2 to 40 characters, e.g. github-deploy."
        errors={errors.name}
        autoFocus
        autoComplete="off"
        spellCheck={false}
        className="font-mono"
        value={name}
        onChange={(e) => setName(e.target.value)}
        placeholder="ci-deploy"
      />
      <InputField
        label="Description (optional)"
        hint="What uses it and who looks after it."
        errors={errors.description}
        value={description}
        maxLength={200}
        onChange={(e) => setDescription(e.target.value)}
        placeholder="e.g. Deploys payments from GitHub Actions"
      />
      <SelectField
        label="Role"
        hint={ROLE_DESCRIPTIONS[role]}
        errors={errors.role}
        value={role}
        onChange={(e) => setRole(e.target.value as ProjectRole)}
      >
        {PROJECT_ROLES.filter((r) => canGrantOwner || r !== "owner").map((r) => (
          <option key={r} value={r}>
            {ROLE_LABELS[r]}
          </option>
        ))}
      </SelectField>
      <DialogActions onCancel={() => onOpenChange(false)}>
        <Button type="submit" loading={create.isPending}>
          Create service account
        </Button>
      </DialogActions>
    </FormDialog>
  );
}

function CreateAccountTokenDialog({
  projectId,
  account,
  onClose,
  onCreated,
}: {
  projectId: string;
  account: ServiceAccountView | null;
  onClose: () => void;
  onCreated: () => void;
}) {
  const trpc = useTRPC();
  const [name, setName] = useState("");
  const [days, setDays] = useState(TOKEN_DEFAULT_DAYS);
  // The secret lives here (and in the mutation until reset), never in a query cache.
  const [secret, setSecret] = useState<string | null>(null);
  // gcTime 0: the finished mutation (with the secret in its data) leaves the cache once reset.
  const create = useMutation(
    trpc.serviceAccount.createToken.mutationOptions({ meta: { inlineErrors: true }, gcTime: 0 }),
  );
  const errors = fieldErrorsOf(create.error);

  function close() {
    setSecret(null);
    setName("");
    setDays(TOKEN_DEFAULT_DAYS);
    create.reset();
    onClose();
  }

  // One dialog for both steps, so focus stays inside it when the form gives way to the secret.
  return (
    <Dialog
      open={account !== null}
      onOpenChange={(o) => !o && close()}
      size="lg"
      title={secret ? "Token created" : `New token for ${account?.name ?? ""}`}
      description={
        secret
          ? `${name} acts as ${account?.name} (${ROLE_LABELS[account?.role ?? "viewer"].toLowerCase()} in this project) until it expires or is revoked.`
          : `It acts as ${account?.name} with its role in this project.`
      }
    >
      {secret ? (
        <>
          <SecretOnce
            secret={secret}
            usage={<BearerUsage path={`/api/v1/projects/${projectId}/clusters`} />}
          />
          <div className="mt-5 flex justify-end">
            <Button onClick={close}>Done</Button>
          </div>
        </>
      ) : (
        <form
          className="space-y-4"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            if (!account) return;
            create.mutate(
              { projectId, serviceAccountId: account.id, name, expiresInDays: days },
              {
                onSuccess: (r) => {
                  setSecret(r.secret);
                  create.reset();
                  onCreated();
                },
              },
            );
          }}
        >
          <div className="grid grid-cols-[1fr_12rem] gap-4">
            <InputField
              label="Token name"
              hint="Where it is used, e.g. the pipeline."
              errors={errors.name}
              autoFocus
              autoComplete="off"
              value={name}
              onChange={(e) => setName(e.target.value)}
              placeholder="e.g. main branch deploy"
            />
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
          <DialogActions onCancel={close}>
            <Button type="submit" loading={create.isPending}>
              Create token
            </Button>
          </DialogActions>
        </form>
      )}
    </Dialog>
  );
}

function DeleteServiceAccountDialog({
  projectId,
  account,
  onClose,
  onDeleted,
}: {
  projectId: string;
  account: ServiceAccountView | null;
  onClose: () => void;
  onDeleted: () => void;
}) {
  const trpc = useTRPC();
  const [confirm, setConfirm] = useState("");
  const del = useMutation(trpc.serviceAccount.delete.mutationOptions());
  const live = account?.tokens.filter((t) => t.state === "active").length ?? 0;

  function close() {
    setConfirm("");
    del.reset();
    onClose();
  }

  return (
    <FormDialog
      open={account !== null}
      onOpenChange={(o) => !o && close()}
      title={`Delete service account ${account?.name ?? ""}?`}
      description={
        live > 0 ? (
          <>
            Its <span className="font-medium text-fg">{live}</span> active token{live === 1 ? "" : "s"}{" "}
            {live === 1 ? "stops" : "stop"} working at once: anything using {live === 1 ? "it" : "them"} gets
            401 Unauthorized from its next request on. The account also leaves the project. This cannot be
            undone.
          </>
        ) : (
          "It has no active tokens. The account leaves the project and its token history is removed. This cannot be undone."
        )
      }
      onSubmit={() => {
        if (!account || confirm !== account.name) return;
        del.mutate(
          { projectId, serviceAccountId: account.id },
          {
            onSuccess: () => {
              toast({ variant: "success", title: `Service account ${account.name} deleted` });
              close();
              onDeleted();
            },
          },
        );
      }}
    >
      <InputField
        label={
          <>
            Type <span className="font-mono">{account?.name}</span> to confirm
          </>
        }
        autoFocus
        autoComplete="off"
        spellCheck={false}
        value={confirm}
        onChange={(e) => setConfirm(e.target.value)}
      />
      <DialogActions onCancel={close}>
        <Button type="submit" variant="danger" loading={del.isPending} disabled={confirm !== account?.name}>
          Delete service account
        </Button>
      </DialogActions>
    </FormDialog>
  );
}
