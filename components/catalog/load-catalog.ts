import "server-only";
import { serverCaller } from "@/components/trpc/server";

/** The project's catalog for a page to hand to CatalogProvider (the layout has already checked membership). */
export async function loadCatalog(projectId: string) {
  return (await serverCaller()).catalog.get({ projectId });
}
