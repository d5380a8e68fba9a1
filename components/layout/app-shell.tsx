"use client";

import { BarChart3, Bot, Boxes, ScrollText, Settings } from "lucide-react";
import Link from "next/link";
import { usePathname } from "next/navigation";
import type { ReactNode } from "react";
import { LiveBadge } from "@/components/live/live-updates";
import { cn } from "@/components/ui/cn";
import { ROLE_LABELS, roleAtLeast, type ProjectRole } from "@/server/contracts/roles";
import { Logo } from "./logo";
import { ProjectSwitcher } from "./project-switcher";
import { ThemeToggle } from "./theme-toggle";
import { UserMenu } from "./user-menu";

const NAV = [
  { section: "clusters", label: "Clusters", icon: Boxes, minRole: "viewer" },
  { section: "dashboards", label: "Dashboards", icon: BarChart3, minRole: "viewer" },
  { section: "service-accounts", label: "Service accounts", icon: Bot, minRole: "admin" },
  { section: "audit", label: "Audit log", icon: ScrollText, minRole: "admin" },
  { section: "settings", label: "Project settings", icon: Settings, minRole: "viewer" },
] as const satisfies ReadonlyArray<{ section: string; label: string; icon: unknown; minRole: ProjectRole }>;

export function AppShell({
  project,
  user,
  children,
}: {
  /** The project in view; account pages show the one used last (null: the person has none). */
  project: { id: string; name: string; role: ProjectRole } | null;
  user: { email: string; name: string };
  children: ReactNode;
}) {
  const pathname = usePathname();
  return (
    <div className="flex min-h-screen">
      <aside className="sticky top-0 flex h-screen w-60 shrink-0 flex-col border-r border-border bg-sidebar">
        <div className="flex h-14 items-center border-b border-border px-4">
          <Link href="/" className="rounded outline-none focus-visible:ring-2 focus-visible:ring-ring">
            <Logo />
          </Link>
        </div>
        <nav aria-label="Project" className="flex-1 space-y-0.5 p-3">
          {project &&
            NAV.filter((n) => roleAtLeast(project.role, n.minRole)).map(({ section, label, icon: Icon }) => {
              const href = `/projects/${project.id}/${section}`;
              const active = pathname === href || pathname.startsWith(`${href}/`);
              return (
                <Link
                  key={section}
                  href={href}
                  aria-current={active ? "page" : undefined}
                  className={cn(
                    "flex items-center gap-2.5 rounded-md px-2.5 py-2 text-sm font-medium outline-none focus-visible:ring-2 focus-visible:ring-ring",
                    active ? "bg-primary/10 text-primary" : "text-muted hover:bg-surface-2 hover:text-fg",
                  )}
                >
                  <Icon className="size-4" aria-hidden />
                  {label}
                </Link>
              );
            })}
        </nav>
        {project && (
          <div className="border-t border-border p-3 text-xs text-muted">
            <div className="rounded-md bg-surface-2 px-2.5 py-2">
              Your role here: <span className="font-medium text-fg">{ROLE_LABELS[project.role]}</span>
            </div>
          </div>
        )}
      </aside>
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="sticky top-0 z-30 flex h-14 items-center gap-3 border-b border-border bg-surface/85 px-6 backdrop-blur">
          {project && <ProjectSwitcher current={project} />}
          <div className="ml-auto flex items-center gap-1">
            {project && <LiveBadge />}
            <ThemeToggle />
            <UserMenu email={user.email} name={user.name} />
          </div>
        </header>
        <main className="mx-auto w-full max-w-6xl flex-1 px-8 py-8">{children}</main>
      </div>
    </div>
  );
}

export function PageHeader({
  title,
  description,
  actions,
}: {
  title: string;
  description?: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <div className="mb-6 flex items-end justify-between gap-4">
      <div>
        <h1 className="text-xl font-semibold tracking-tight text-fg">{title}</h1>
        {description && <p className="mt-1 text-sm text-muted">{description}</p>}
      </div>
      {actions && <div className="flex items-center gap-2">{actions}</div>}
    </div>
  );
}
