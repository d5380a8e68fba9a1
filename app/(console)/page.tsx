import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { serverCaller } from "@/components/trpc/server";
import { currentUserId } from "@/server/auth/session";

const LAST_PROJECT_COOKIE = "console_last_project";

/** `/`: the project used last (if still a member), else the personal one. */
export default async function Home() {
  // Layouts and pages render in parallel, so the layout's sign-in redirect
  // does not stop this page from running: check the session here too.
  if (!(await currentUserId())) redirect("/sign-in");
  const caller = await serverCaller();
  const projects = await caller.project.list();
  const last = (await cookies()).get(LAST_PROJECT_COOKIE)?.value;
  const target = projects.find((p) => p.id === last) ?? projects[0];
  if (!target) redirect("/projects/none");
  redirect(`/projects/${target.id}/clusters`);
}
