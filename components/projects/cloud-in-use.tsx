"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { AlertTriangle, RefreshCw } from "lucide-react";
import { useTRPC } from "@/components/trpc/client";
import { Button } from "@/components/ui/button";
import { Spinner } from "@/components/ui/spinner";

/**
 * The cloud this project really deploys into, as the worker last read it:
 * its Keystone, what it offers, and what it lacks. "Read again" asks the
 * worker for a fresh catalog (the wizard uses it).
 */
export function CloudInUse({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const key = trpc.catalog.get.queryKey({ projectId });
  const q = useQuery({
    ...trpc.catalog.get.queryOptions({ projectId }),
    refetchInterval: (s) => (s.state.data?.cloud.refreshing ? 2_000 : false),
  });
  const refresh = useMutation(
    trpc.cloud.refreshCatalog.mutationOptions({ onSuccess: () => qc.invalidateQueries({ queryKey: key }) }),
  );
  const c = q.data;
  if (!c)
    return (
      <p className="flex items-center gap-2 text-sm text-muted">
        <Spinner className="size-4" /> Loading the cloud in use…
      </p>
    );
  const { cloud } = c;
  return (
    <section aria-label="Cloud in use" className="space-y-2 border-t border-border pt-4 text-sm">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h3 className="font-medium text-fg">In use</h3>
        <Button
          size="sm"
          variant="secondary"
          onClick={() => refresh.mutate({ projectId })}
          disabled={refresh.isPending || cloud.refreshing}
        >
          {cloud.refreshing ? <Spinner className="size-4" /> : <RefreshCw className="size-4" aria-hidden />}
          {cloud.refreshing ? "Reading the cloud…" : "Read again"}
        </Button>
      </div>
      {cloud.authUrl ? (
        <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-xs">
          <dt className="text-muted">Keystone</dt>
          <dd className="break-all text-fg">
            {cloud.authUrl}
            {cloud.region ? ` · ${cloud.region}` : ""} · project {cloud.keystoneProjectId}
          </dd>
          <dt className="text-muted">Zones</dt>
          <dd className="text-fg">
            {c.zones.join(", ") || "none"} (volumes: {cloud.volumeZones.join(", ") || "none"})
          </dd>
          <dt className="text-muted">Flavors</dt>
          <dd className="text-fg">{c.flavors.length}</dd>
          <dt className="text-muted">Volume types</dt>
          <dd className="text-fg">
            {c.volumeTypes.map((t) => t.name).join(", ") || "none"} (etcd: {c.etcdVolumeType ?? "none"}, node
            disks: {c.nodeDiskType ?? "none"})
          </dd>
          <dt className="text-muted">Node images</dt>
          <dd className="text-fg">
            {cloud.images.map((i) => `${i.kubernetesVersion} (${i.name})`).join(", ") || "none"}
          </dd>
          <dt className="text-muted">External network</dt>
          <dd className="text-fg">{cloud.externalNetwork ?? "none"}</dd>
          <dt className="text-muted">Read</dt>
          <dd className="text-fg">
            {cloud.fetchedAt ? new Date(cloud.fetchedAt).toLocaleString() : "not yet"}
          </dd>
        </dl>
      ) : (
        !cloud.error && (
          <p className="text-muted">Not read yet: the worker reads the cloud within a few seconds.</p>
        )
      )}
      {cloud.error && (
        <p role="alert" className="break-words text-danger">
          The last read failed: {cloud.error}
        </p>
      )}
      {cloud.problems.length > 0 && (
        <ul className="space-y-1 text-xs text-fg">
          {cloud.problems.map((p) => (
            <li key={p} className="flex items-start gap-2 break-words">
              <AlertTriangle className="mt-0.5 size-3.5 shrink-0 text-warning" aria-hidden /> {p}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
