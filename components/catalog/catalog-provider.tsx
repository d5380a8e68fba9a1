"use client";

import { useQuery } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { createContext, useContext, type ReactNode } from "react";
import { useTRPC } from "@/components/trpc/client";
import type { AppRouter } from "@/server/api/root";

type Outputs = inferRouterOutputs<AppRouter>["catalog"];
export type Catalog = Outputs["get"];
export type CatalogAddon = Catalog["addons"][number];
export type CatalogAddonVersion = CatalogAddon["versions"][number];
export type CatalogFlavor = Catalog["flavors"][number];
export type TemplateView = Outputs["templates"][number];
export type AddonResources = Catalog["addons"][number]["defaultResources"];

const CatalogContext = createContext<{ projectId: string; catalog: Catalog } | null>(null);

/**
 * What the project can build (versions, flavors, addons, policy templates),
 * read on the server with the page and kept in the query cache.
 */
export function CatalogProvider({
  projectId,
  initial,
  children,
}: {
  projectId: string;
  initial: Catalog;
  children: ReactNode;
}) {
  const trpc = useTRPC();
  const catalog = useQuery({
    ...trpc.catalog.get.queryOptions({ projectId }),
    initialData: initial,
    staleTime: 5 * 60_000,
    // While the worker reads the cloud, look again every 2 s (the gate says what it waits for).
    refetchInterval: (q) => (q.state.data && !q.state.data.cloud.refreshing ? false : 2_000),
  });
  return (
    <CatalogContext.Provider value={{ projectId, catalog: catalog.data }}>{children}</CatalogContext.Provider>
  );
}

export function useCatalog(): { projectId: string; catalog: Catalog } {
  const c = useContext(CatalogContext);
  if (!c) throw new Error("useCatalog needs a CatalogProvider");
  return c;
}

export const minorOf = (v: string) => v.split(".").slice(0, 2).join(".");

/** Whether an addon version runs on a Kubernetes version (the catalog lists the minors it supports). */
export const supports = (v: CatalogAddonVersion, kubernetes: string) =>
  v.kubernetesMinors.includes(minorOf(kubernetes));

/** The newest version of an addon that runs on a Kubernetes version. */
export const defaultVersion = (a: CatalogAddon, kubernetes: string): string | null =>
  a.versions.find((v) => supports(v, kubernetes))?.version ?? null;

/** The library's templates and, when the cluster has its own, those too (checked on the server). */
export function useTemplates(custom: readonly string[]): TemplateView[] {
  const trpc = useTRPC();
  const { projectId, catalog } = useCatalog();
  const q = useQuery({
    ...trpc.catalog.templates.queryOptions({ projectId, custom: [...custom] }),
    enabled: custom.length > 0,
    placeholderData: (prev) => prev,
  });
  return custom.length > 0 ? (q.data ?? catalog.templates) : catalog.templates;
}
