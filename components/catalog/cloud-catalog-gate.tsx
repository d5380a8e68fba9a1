"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { AlertTriangle, CloudOff, RefreshCw } from "lucide-react";
import Link from "next/link";
import { useEffect, useState, type ReactNode } from "react";
import { useTRPC } from "@/components/trpc/client";
import { Banner } from "@/components/ui/banner";
import { Button } from "@/components/ui/button";
import { Spinner } from "@/components/ui/spinner";
import { useCatalog } from "./catalog-provider";

/** How long the first read of a cloud may take before the page says something is wrong. */
const FIRST_READ_DEADLINE_S = 60;

/**
 * What the wizard needs from the project's cloud before it can offer
 * anything: the catalog read (with a deadline), a version with a node
 * image, the problems the worker found. Children render once usable.
 */
export function CloudCatalogGate({ children }: { children: ReactNode }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { projectId, catalog } = useCatalog();
  const [waited, setWaited] = useState(0);
  const refresh = useMutation(
    trpc.cloud.refreshCatalog.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.catalog.get.queryKey({ projectId }) }),
    }),
  );
  const { cloud } = catalog;
  useEffect(() => {
    if (cloud.ready) return;
    const t = setInterval(() => setWaited((w) => w + 1), 1000);
    return () => clearInterval(t);
  }, [cloud.ready]);
  const settings = `/projects/${projectId}/settings`;
  const again = (
    <Button
      variant="secondary"
      size="sm"
      onClick={() => refresh.mutate({ projectId })}
      disabled={refresh.isPending}
    >
      <RefreshCw className="size-4" aria-hidden /> Read the cloud again
    </Button>
  );
  if (!cloud.ready) {
    if (cloud.error)
      return (
        <Banner tone="danger" icon={CloudOff}>
          <p className="font-medium">The project&apos;s cloud could not be read</p>
          <p className="mt-1 break-words">{cloud.error}</p>
          <p className="mt-2 flex flex-wrap items-center gap-3">
            <Link className="underline" href={settings}>
              Check Project settings → Cloud
            </Link>
            {again}
          </p>
        </Banner>
      );
    return (
      <div role="status" className="flex flex-col gap-2 rounded-lg border border-border p-6 text-sm">
        <p className="flex items-center gap-2 font-medium">
          <Spinner className="size-4" /> Reading this project&apos;s cloud: zones, flavors, volume types and
          node images ({waited} s)
        </p>
        {waited >= FIRST_READ_DEADLINE_S ? (
          <p className="text-danger">
            No answer after {FIRST_READ_DEADLINE_S} s: the console&apos;s worker may not be running, or the
            cloud does not answer. {again}
          </p>
        ) : (
          <p className="text-muted">This takes a few seconds the first time; the wizard opens by itself.</p>
        )}
      </div>
    );
  }
  const noVersion = catalog.versions.length === 0;
  return (
    <div className="space-y-4">
      {(noVersion || cloud.problems.length > 0) && (
        <Banner tone={noVersion ? "danger" : "warning"} icon={AlertTriangle}>
          {noVersion && (
            <p className="font-medium">
              This cloud offers no Kubernetes version: it has no node image the console can use.
            </p>
          )}
          <ul className="mt-1 list-disc space-y-1 pl-4">
            {cloud.problems.map((p) => (
              <li key={p} className="break-words">
                {p}
              </li>
            ))}
          </ul>
          <p className="mt-2">{again}</p>
        </Banner>
      )}
      {!noVersion && children}
    </div>
  );
}
