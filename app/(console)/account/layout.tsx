import { TRPCError } from "@trpc/server";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { AppShell } from "@/components/layout/app-shell";
import { serverCaller } from "@/components/trpc/server";

const LAST_PROJECT_COOKIE = "console_last_project";

async function load() {
  const caller = await serverCaller();
  try {
    return await Promise.all([caller.project.list(), caller.auth.me()]);
  } catch (err) {
    // The session ended meanwhile (signed out elsewhere, account removed): sign in again.
    if (err instanceof TRPCError && err.code === "UNAUTHORIZED") redirect("/sign-in");
    throw err;
  }
}

/** Pages about the person, not a project: the shell keeps the project used last in view. */
export default async function AccountLayout({ children }: { children: ReactNode }) {
  const [projects, me] = await load();
  const last = (await cookies()).get(LAST_PROJECT_COOKIE)?.value;
  const project = projects.find((p) => p.id === last) ?? projects[0] ?? null;
  return (
    <AppShell project={project} user={me}>
      {children}
    </AppShell>
  );
}
