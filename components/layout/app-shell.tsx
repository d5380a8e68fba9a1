"use client";

import { BarChart3, Bot, Boxes, PanelLeftClose, PanelLeftOpen, ScrollText, Settings } from "lucide-react";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useSyncExternalStore, type ReactNode } from "react";
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
  const collapsed = useSidebarCollapsed();
  const Toggle = collapsed ? PanelLeftOpen : PanelLeftClose;
  return (
    <div className="flex min-h-screen">
      {/* The outer aside stretches with the page (its border and colour reach the bottom of long pages);
          the inner column stays in view while the page scrolls. */}
      <aside
        className={cn(
          "shrink-0 border-r border-border bg-sidebar transition-[width] duration-150",
          collapsed ? "w-14" : "w-60",
        )}
      >
        <div className="sticky top-0 flex h-screen flex-col">
          <div className={cn("flex h-14 items-center border-b border-border", collapsed ? "px-3.5" : "px-4")}>
            <Link
              href="/"
              className="rounded outline-none focus-visible:ring-2 focus-visible:ring-ring"
              aria-label={collapsed ? "Kubernetes Console home" : undefined}
            >
              <Logo withText={!collapsed} />
            </Link>
          </div>
          <nav aria-label="Project" className={cn("flex-1 space-y-0.5", collapsed ? "p-2" : "p-3")}>
            {project &&
              NAV.filter((n) => roleAtLeast(project.role, n.minRole)).map(
                ({ section, label, icon: Icon }) => {
                  const href = `/projects/${project.id}/${section}`;
                  const active = pathname === href || pathname.startsWith(`${href}/`);
                  return (
                    <Link
                      key={section}
                      href={href}
                      aria-current={active ? "page" : undefined}
                      title={collapsed ? label : undefined}
                      className={cn(
                        "flex items-center gap-2.5 rounded-md py-2 text-sm font-medium outline-none focus-visible:ring-2 focus-visible:ring-ring",
                        collapsed ? "justify-center px-2" : "px-2.5",
                        active ? "bg-primary/10 text-primary" : "text-muted hover:bg-surface-2 hover:text-fg",
                      )}
                    >
                      <Icon className="size-4 shrink-0" aria-hidden />
                      <span className={cn(collapsed && "sr-only")}>{label}</span>
                    </Link>
                  );
                },
              )}
          </nav>
          {project && !collapsed && (
            <div className="border-t border-border p-3 text-xs text-muted">
              <div className="rounded-md bg-surface-2 px-2.5 py-2">
                Your role here: <span className="font-medium text-fg">{ROLE_LABELS[project.role]}</span>
              </div>
            </div>
          )}
          <div className={cn("border-t border-border", collapsed ? "p-2" : "p-3")}>
            <button
              type="button"
              onClick={() => setSidebarCollapsed(!collapsed)}
              aria-expanded={!collapsed}
              title={collapsed ? "Expand the sidebar" : "Collapse the sidebar"}
              className={cn(
                "flex w-full items-center gap-2.5 rounded-md py-2 text-sm text-muted outline-none hover:bg-surface-2 hover:text-fg focus-visible:ring-2 focus-visible:ring-ring",
                collapsed ? "justify-center px-2" : "px-2.5",
              )}
            >
              <Toggle className="size-4 shrink-0" aria-hidden />
              <span className={cn(collapsed && "sr-only")}>
                {collapsed ? "Expand sidebar" : "Collapse sidebar"}
              </span>
            </button>
          </div>
        </div>
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

/** The sidebar's state, kept in this browser (localStorage) and shared by every shell on the page. */
const SIDEBAR_KEY = "kc-sidebar-collapsed";
const sidebarListeners = new Set<() => void>();

function setSidebarCollapsed(collapsed: boolean) {
  try {
    if (collapsed) localStorage.setItem(SIDEBAR_KEY, "1");
    else localStorage.removeItem(SIDEBAR_KEY);
  } catch {
    // Storage refused (private mode): the choice lasts for this page only.
    sidebarFallback = collapsed;
  }
  for (const l of sidebarListeners) l();
}

let sidebarFallback = false;

function useSidebarCollapsed(): boolean {
  return useSyncExternalStore(
    (onChange) => {
      sidebarListeners.add(onChange);
      const onStorage = (e: StorageEvent) => e.key === SIDEBAR_KEY && onChange();
      window.addEventListener("storage", onStorage);
      return () => {
        sidebarListeners.delete(onChange);
        window.removeEventListener("storage", onStorage);
      };
    },
    () => {
      try {
        return localStorage.getItem(SIDEBAR_KEY) === "1" || sidebarFallback;
      } catch {
        return sidebarFallback;
      }
    },
    // The server renders it open; the browser then applies the stored choice.
    () => false,
  );
}
