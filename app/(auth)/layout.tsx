import { Globe2, Layers, PauseCircle, ShieldCheck } from "lucide-react";
import type { ReactNode } from "react";
import { Logo } from "@/components/layout/logo";

const points = [
  {
    icon: Layers,
    title: "Clusters in a few clicks",
    text: "One master, three or five in one zone, or spread across every zone of the region.",
  },
  {
    icon: PauseCircle,
    title: "Pay only while it runs",
    text: "Stop and start a whole cluster with one click, or on a schedule.",
  },
  {
    icon: ShieldCheck,
    title: "Policies built in",
    text: "OPA Gatekeeper with ready-made constraints, audited access.",
  },
  {
    icon: Globe2,
    title: "Your OpenStack, or ours",
    text: "The same console drives any OpenStack cloud with your credentials.",
  },
];

export default function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <div className="grid min-h-screen lg:grid-cols-[minmax(0,5fr)_minmax(0,6fr)]">
      <aside className="relative hidden overflow-hidden border-r border-border bg-sidebar p-12 lg:flex lg:flex-col">
        <div
          aria-hidden
          className="pointer-events-none absolute inset-0 opacity-60 dark:opacity-40"
          style={{
            background:
              "radial-gradient(60rem 30rem at -10% -10%, color-mix(in srgb, var(--primary) 16%, transparent), transparent 60%)",
          }}
        />
        <div className="relative">
          <Logo />
        </div>
        <div className="relative mt-auto mb-auto max-w-md pt-16">
          <h1 className="text-3xl leading-tight font-semibold tracking-tight text-fg">
            Managed Kubernetes on OpenStack
          </h1>
          <p className="mt-3 text-[15px] text-muted">
            Create, scale, upgrade and pause production clusters from one console.
          </p>
          <ul className="mt-10 space-y-6">
            {points.map(({ icon: Icon, title, text }) => (
              <li key={title} className="flex gap-4">
                <span className="flex size-9 shrink-0 items-center justify-center rounded-lg border border-border bg-surface text-primary shadow-xs">
                  <Icon className="size-4.5" aria-hidden />
                </span>
                <span>
                  <span className="block text-sm font-medium text-fg">{title}</span>
                  <span className="block text-sm text-muted">{text}</span>
                </span>
              </li>
            ))}
          </ul>
        </div>
      </aside>
      <main className="flex items-center justify-center px-6 py-12">
        <div className="w-full max-w-sm">
          <div className="mb-8 lg:hidden">
            <Logo />
          </div>
          {children}
        </div>
      </main>
    </div>
  );
}
