import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { currentUserId } from "@/server/auth/session";

export const dynamic = "force-dynamic";

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  if (!(await currentUserId())) redirect("/sign-in");
  return children;
}
