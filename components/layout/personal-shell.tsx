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

/**
 * The shell of pages about the person rather than one project (API tokens,
 * the API reference): it keeps the project used last in view.
 */
export async function PersonalShell({ children }: { children: ReactNode }) {
  const [projects, me] = await load();
  const last = (await cookies()).get(LAST_PROJECT_COOKIE)?.value;
  const project = projects.find((p) => p.id === last) ?? projects[0] ?? null;
  return (
    <AppShell project={project} user={me}>
      {children}
    </AppShell>
  );
}
