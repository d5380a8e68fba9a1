"use client";

import { useQuery } from "@tanstack/react-query";
import { Boxes, Cloud, Server, ServerCog, Network } from "lucide-react";
import Link from "next/link";
import { useTRPC } from "@/components/trpc/client";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";

const TOPOLOGIES = [
  {
    icon: Server,
    title: "Single master",
    text: "One control-plane node. For evaluation and development; not highly available.",
  },
  {
    icon: ServerCog,
    title: "Standard",
    text: "3 or 5 masters in one zone. Survives the loss of masters within the zone.",
  },
  {
    icon: Network,
    title: "Regional",
    text: "3 or 5 masters spread across every zone of the region. Survives the loss of a zone.",
  },
];

export function ClustersEmpty({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const binding = useQuery(trpc.cloud.get.queryOptions({ projectId }));
  const cloudLabel =
    binding.data?.mode === "openstack"
      ? `${binding.data.authUrl} (${binding.data.region})`
      : "the built-in OpenStack emulator";
  return (
    <div className="space-y-6">
      <EmptyState
        icon={<Boxes className="size-6" aria-hidden />}
        title="No clusters yet"
        description={
          <>
            Clusters in this project will run on <span className="font-medium text-fg">{cloudLabel}</span>.
            Create one in a few steps; it is ready in minutes.
          </>
        }
        action={
          <>
            <Button asChild>
              <Link href={`/projects/${projectId}/clusters/new`}>Create cluster</Link>
            </Button>
            <Button variant="secondary" asChild>
              <Link href={`/projects/${projectId}/settings#cloud`}>
                <Cloud className="size-4" aria-hidden /> Cloud credentials
              </Link>
            </Button>
          </>
        }
      />
      <section aria-labelledby="topologies-heading">
        <h2 id="topologies-heading" className="mb-3 text-sm font-medium text-muted">
          Topologies
        </h2>
        <div className="grid grid-cols-3 gap-4">
          {TOPOLOGIES.map(({ icon: Icon, title, text }) => (
            <div key={title} className="rounded-lg border border-border bg-surface p-4 shadow-xs">
              <Icon className="size-5 text-primary" aria-hidden />
              <h3 className="mt-3 text-sm font-semibold text-fg">{title}</h3>
              <p className="mt-1 text-sm text-muted">{text}</p>
            </div>
          ))}
        </div>
      </section>
    </div>
  );
}
