"use client";

import { useQuery } from "@tanstack/react-query";
import { Check, ChevronsUpDown, FolderKanban, Plus } from "lucide-react";
import { usePathname, useRouter } from "next/navigation";
import { useState } from "react";
import { CreateProjectDialog } from "@/components/projects/create-project-dialog";
import { useTRPC } from "@/components/trpc/client";
import { ROLE_LABELS } from "@/server/contracts/roles";
import { Badge } from "@/components/ui/badge";
import {
  DropdownContent,
  DropdownItem,
  DropdownLabel,
  DropdownRoot,
  DropdownSeparator,
  DropdownTrigger,
} from "@/components/ui/dropdown";

export const LAST_PROJECT_COOKIE = "console_last_project";

export function rememberProject(id: string) {
  document.cookie = `${LAST_PROJECT_COOKIE}=${id}; path=/; max-age=${60 * 60 * 24 * 365}; samesite=lax`;
}

export function ProjectSwitcher({ current }: { current: { id: string; name: string } }) {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const [creating, setCreating] = useState(false);
  const projects = useQuery(trpc.project.list.queryOptions());
  const section = pathname.split("/")[3] ?? "clusters";

  const go = (id: string) => {
    rememberProject(id);
    router.push(`/projects/${id}/${section === "audit" ? "clusters" : section}`);
  };

  return (
    <>
      <DropdownRoot>
        <DropdownTrigger
          aria-label={`Project: ${current.name}. Switch project`}
          className="flex h-9 max-w-80 items-center gap-2 rounded-md border border-border bg-surface px-3 text-sm font-medium text-fg shadow-xs outline-none hover:bg-surface-2 focus-visible:ring-2 focus-visible:ring-ring"
        >
          <FolderKanban className="size-4 text-muted" aria-hidden />
          <span className="truncate">{current.name}</span>
          <ChevronsUpDown className="size-3.5 text-muted" aria-hidden />
        </DropdownTrigger>
        <DropdownContent className="w-72">
          <DropdownLabel>Projects</DropdownLabel>
          {(projects.data ?? []).map((p) => (
            <DropdownItem key={p.id} onSelect={() => go(p.id)}>
              <span className="flex size-4 items-center">
                {p.id === current.id && <Check className="size-4 text-primary" aria-hidden />}
              </span>
              <span className="flex-1 truncate">{p.name}</span>
              <Badge>{ROLE_LABELS[p.role]}</Badge>
            </DropdownItem>
          ))}
          <DropdownSeparator />
          <DropdownItem onSelect={() => setCreating(true)}>
            <Plus className="size-4 text-muted" aria-hidden /> Create project
          </DropdownItem>
        </DropdownContent>
      </DropdownRoot>
      <CreateProjectDialog open={creating} onOpenChange={setCreating} onCreated={(id) => go(id)} />
    </>
  );
}
