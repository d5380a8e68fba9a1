"use client";

import { Table, TableHead } from "@/components/ui/table";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Mail, UserPlus } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { fieldErrorsOf, useTRPC } from "@/components/trpc/client";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardHeader } from "@/components/ui/card";
import { Dialog, DialogActions, FormDialog } from "@/components/ui/dialog";
import { InputField, Select, SelectField } from "@/components/ui/field";
import { toast } from "@/components/ui/toast-store";
import {
  PROJECT_ROLES,
  ROLE_DESCRIPTIONS,
  ROLE_LABELS,
  roleAtLeast,
  type ProjectRole,
} from "@/server/contracts/roles";

export function MembersCard({
  projectId,
  role,
  myUserId,
}: {
  projectId: string;
  role: ProjectRole;
  myUserId: string;
}) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const router = useRouter();
  const members = useQuery(trpc.member.list.queryOptions({ projectId }));
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<{ userId: string; email: string } | null>(null);
  const isOwner = role === "owner";
  const ownerCount = members.data?.members.filter((m) => m.role === "owner").length ?? 0;
  const canAdd = roleAtLeast(role, "admin");
  const refresh = () => qc.invalidateQueries({ queryKey: trpc.member.list.queryKey({ projectId }) });

  const updateRole = useMutation(trpc.member.updateRole.mutationOptions());
  const remove = useMutation(trpc.member.remove.mutationOptions());
  const cancel = useMutation(trpc.member.cancelInvitation.mutationOptions());

  return (
    <Card>
      <CardHeader
        title="Members"
        description="Who can see and change this project. Roles: viewer < member < admin < owner."
        actions={
          canAdd && (
            <Button size="sm" onClick={() => setAdding(true)}>
              <UserPlus className="size-4" aria-hidden /> Add member
            </Button>
          )
        }
      />
      <Table className="text-sm" caption="Project members">
        <TableHead
          className="border-b border-border"
          cellClassName="px-5 py-2"
          columns={[
            "Member",
            { label: "Role", className: "w-52" },
            { label: <span className="sr-only">Actions</span>, className: "w-40 text-right" },
          ]}
        />
        <tbody className="divide-y divide-border">
          {members.isPending && (
            <tr>
              <td colSpan={3} className="px-5 py-4 text-sm text-muted">
                Loading members…
              </td>
            </tr>
          )}
          {members.error && (
            <tr>
              <td colSpan={3} role="alert" className="px-5 py-4 text-sm text-danger">
                The members could not be loaded: {members.error.message}
              </td>
            </tr>
          )}
          {members.data?.members.map((m) => (
            <tr key={m.userId}>
              <td className="px-5 py-3">
                <div className="font-medium text-fg">
                  {m.name} {m.userId === myUserId && <span className="font-normal text-muted">(you)</span>}
                </div>
                <div className="text-xs text-muted">{m.email}</div>
              </td>
              <td className="px-5 py-3">
                {isOwner ? (
                  <Select
                    aria-label={`Role of ${m.email}`}
                    value={m.role}
                    disabled={updateRole.isPending}
                    onChange={(e) =>
                      updateRole.mutate(
                        { projectId, userId: m.userId, role: e.target.value as ProjectRole },
                        {
                          onSuccess: () => {
                            toast({ variant: "success", title: `${m.email} is now ${e.target.value}` });
                            void refresh();
                          },
                          onError: () => void refresh(),
                        },
                      )
                    }
                    className="h-8"
                  >
                    {PROJECT_ROLES.map((r) => (
                      <option key={r} value={r}>
                        {ROLE_LABELS[r]}
                      </option>
                    ))}
                  </Select>
                ) : (
                  <Badge tone={m.role === "owner" ? "primary" : "neutral"}>{ROLE_LABELS[m.role]}</Badge>
                )}
              </td>
              <td className="px-5 py-3 text-right">
                {(isOwner || m.userId === myUserId) && (
                  <Button
                    variant="ghost"
                    size="sm"
                    className="text-danger"
                    disabled={m.role === "owner" && ownerCount === 1}
                    title={
                      m.role === "owner" && ownerCount === 1
                        ? "A project needs at least one owner"
                        : undefined
                    }
                    onClick={() => setRemoving({ userId: m.userId, email: m.email })}
                  >
                    {m.userId === myUserId ? "Leave" : "Remove"}
                  </Button>
                )}
              </td>
            </tr>
          ))}
          {members.data?.invitations.map((i) => (
            <tr key={i.id}>
              <td className="px-5 py-3">
                <div className="flex items-center gap-2 font-medium text-fg">
                  <Mail className="size-3.5 text-muted" aria-hidden /> {i.email}
                </div>
                <div className="text-xs text-muted">Invited — joins when they sign up with this email</div>
              </td>
              <td className="px-5 py-3">
                <Badge tone="warning">{ROLE_LABELS[i.role]} · pending</Badge>
              </td>
              <td className="px-5 py-3 text-right">
                {canAdd && (
                  <Button
                    variant="ghost"
                    size="sm"
                    loading={cancel.isPending && cancel.variables?.invitationId === i.id}
                    onClick={() =>
                      cancel.mutate({ projectId, invitationId: i.id }, { onSuccess: () => void refresh() })
                    }
                  >
                    Cancel invite
                  </Button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </Table>

      <AddMemberDialog
        projectId={projectId}
        open={adding}
        onOpenChange={setAdding}
        canGrantOwner={isOwner}
        onAdded={refresh}
      />

      <Dialog
        open={removing !== null}
        onOpenChange={(o) => !o && setRemoving(null)}
        title={removing?.userId === myUserId ? "Leave this project?" : "Remove member?"}
        description={
          removing?.userId === myUserId
            ? "You will lose access to this project's clusters and settings until someone adds you again."
            : `${removing?.email} will lose access to this project immediately.`
        }
      >
        <DialogActions onCancel={() => setRemoving(null)}>
          <Button
            variant="danger"
            loading={remove.isPending}
            onClick={() =>
              removing &&
              remove.mutate(
                { projectId, userId: removing.userId },
                {
                  onSuccess: () => {
                    const left = removing.userId === myUserId;
                    setRemoving(null);
                    toast({
                      variant: "success",
                      title: left ? "You left the project" : `${removing.email} removed`,
                    });
                    if (left) {
                      void qc.invalidateQueries({ queryKey: trpc.project.list.queryKey() });
                      router.push("/");
                    } else void refresh();
                  },
                  onSettled: () => setRemoving(null),
                },
              )
            }
          >
            {removing?.userId === myUserId ? "Leave project" : "Remove"}
          </Button>
        </DialogActions>
      </Dialog>
    </Card>
  );
}

function AddMemberDialog({
  projectId,
  open,
  onOpenChange,
  canGrantOwner,
  onAdded,
}: {
  projectId: string;
  open: boolean;
  onOpenChange: (o: boolean) => void;
  canGrantOwner: boolean;
  onAdded: () => void;
}) {
  const trpc = useTRPC();
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<ProjectRole>("member");
  const add = useMutation(trpc.member.add.mutationOptions({ meta: { inlineErrors: true } }));
  const errors = fieldErrorsOf(add.error);

  function onSubmit() {
    add.mutate(
      { projectId, email, role },
      {
        onSuccess: (r) => {
          toast({
            variant: "success",
            title: r.status === "added" ? `${r.email} added as ${role}` : `${r.email} invited as ${role}`,
            description:
              r.status === "invited"
                ? "They join this project when they sign up with this email."
                : undefined,
          });
          setEmail("");
          add.reset();
          onOpenChange(false);
          onAdded();
        },
      },
    );
  }

  return (
    <FormDialog
      open={open}
      onOpenChange={onOpenChange}
      onClose={() => add.reset()}
      title="Add member"
      description="People with a console account are added right away; others are invited and join when they sign up."
      onSubmit={onSubmit}
    >
      <InputField
        label="Email"
        errors={errors.email}
        type="email"
        autoFocus
        value={email}
        onChange={(e) => setEmail(e.target.value)}
        placeholder="colleague@example.com"
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
      <div className="flex justify-end gap-2 pt-1">
        <Button type="button" variant="secondary" onClick={() => onOpenChange(false)}>
          Cancel
        </Button>
        <Button type="submit" loading={add.isPending}>
          Add member
        </Button>
      </div>
    </FormDialog>
  );
}
