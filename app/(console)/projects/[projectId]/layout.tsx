import { TRPCError } from "@trpc/server";
import { notFound, redirect } from "next/navigation";
import type { ReactNode } from "react";
import { AppShell } from "@/components/layout/app-shell";
import { LiveUpdates } from "@/components/live/live-updates";
import { serverCaller } from "@/components/trpc/server";

async function load(projectId: string) {
  const caller = await serverCaller();
  try {
    return await Promise.all([caller.project.get({ projectId }), caller.auth.me()]);
  } catch (err) {
    // Not a member, no such project, or not even a valid id: all look the same.
    if (err instanceof TRPCError && ["NOT_FOUND", "BAD_REQUEST"].includes(err.code)) notFound();
    // The session ended meanwhile (signed out elsewhere, account removed): sign in again.
    if (err instanceof TRPCError && err.code === "UNAUTHORIZED") redirect("/sign-in");
    throw err;
  }
}

export default async function ProjectLayout({
  children,
  params,
}: {
  children: ReactNode;
  params: Promise<{ projectId: string }>;
}) {
  const [project, me] = await load((await params).projectId);
  return (
    <LiveUpdates projectId={project.id}>
      <AppShell project={project} user={me}>
        {children}
      </AppShell>
    </LiveUpdates>
  );
}
