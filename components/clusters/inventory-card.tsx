"use client";

import { Badge } from "@/components/ui/badge";
import { Card, CardHeader } from "@/components/ui/card";
import { Table, TableHead } from "@/components/ui/table";
import type { ClusterData } from "./labels";
import { LbStatus, RT } from "./resource-table";
import { lbAddress, volumeStatusTone } from "./made-by-cluster";

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * The Overview's "Load balancers and volumes": what the console made for the
 * cluster in the user's project (API load balancer, etcd and addon volumes),
 * each with what it is for and its state, and a count of what the cluster
 * made for itself (listed in full on the card below).
 */
export function InventoryCard({ cluster: c }: { cluster: ClusterData }) {
  const inv = c.status.inventory;
  const made = c.status.madeByCluster;
  const madeLbs = made?.loadBalancers.length ?? 0;
  const madeVolumes = made?.volumes.length ?? 0;
  const totalGb =
    (inv?.volumes ?? []).reduce((n, v) => n + v.sizeGb, 0) +
    (made?.volumes ?? []).reduce((n, v) => n + v.sizeGb, 0);
  return (
    <Card role="region" aria-labelledby="inventory-title" data-testid="inventory">
      <CardHeader
        title={<span id="inventory-title">Load balancers and volumes</span>}
        description="What the console made for this cluster in your project. Each node also boots from its own root disk, deleted with the node."
        actions={
          inv && (
            <span className="text-sm text-fg tabular-nums" data-testid="inventory-totals">
              {plural(inv.loadBalancers.length + madeLbs, "load balancer", "load balancers")},{" "}
              {plural(inv.volumes.length + madeVolumes, "volume", "volumes")} ({totalGb} GB)
            </span>
          )
        }
      />
      {!inv ? (
        <p className="px-5 py-4 text-sm text-muted">
          Not looked at yet: the list appears after the reconciler&apos;s next pass over the cloud.
        </p>
      ) : (
        <>
          <Table
            className="table-auto text-sm"
            caption={`Load balancers (${inv.loadBalancers.length})`}
            captionClassName={RT.caption}
          >
            <TableHead className={RT.head} cellClassName={RT.th} columns={["For", "Address", "Status"]} />
            <tbody className="divide-y divide-border">
              {inv.loadBalancers.length === 0 && (
                <tr>
                  <td colSpan={3} className={`${RT.td} text-muted`}>
                    {c.phase === "Provisioning"
                      ? "The API load balancer is not created yet."
                      : "None: the API load balancer is gone (the next pass recreates it)."}
                  </td>
                </tr>
              )}
              {inv.loadBalancers.map((lb) => {
                const address = lbAddress(lb);
                return (
                  <tr key={lb.id}>
                    <td className={RT.td}>
                      <div className="text-fg">{lb.purpose}</div>
                      <div className={RT.resourceName}>{lb.name}</div>
                    </td>
                    <td className={`${RT.td} font-mono text-xs ${address.public ? "text-fg" : "text-muted"}`}>
                      {address.text}
                    </td>
                    <td className={RT.td}>
                      <LbStatus provisioning={lb.provisioning} operating={lb.operating} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </Table>
          <Table
            className="mt-2 table-auto text-sm"
            caption={`Volumes (${inv.volumes.length})`}
            captionClassName={`${RT.caption} border-t border-border`}
          >
            <TableHead
              className={RT.head}
              cellClassName={RT.th}
              columns={["For", { label: "Size", className: "text-right" }, "Type", "Status", "Attached to"]}
            />
            <tbody className="divide-y divide-border">
              {inv.volumes.length === 0 && (
                <tr>
                  <td colSpan={5} className={`${RT.td} text-muted`}>
                    No volumes yet.
                  </td>
                </tr>
              )}
              {inv.volumes.map((v) => (
                <tr key={v.id}>
                  <td className={RT.td}>
                    <div className="text-fg">{v.purpose}</div>
                    <div className={RT.resourceName}>{v.name}</div>
                  </td>
                  <td className={`${RT.td} text-right whitespace-nowrap text-fg tabular-nums`}>
                    {v.sizeGb} GB
                  </td>
                  <td className={`${RT.td} whitespace-nowrap text-fg`}>{v.volumeType ?? "default"}</td>
                  <td className={RT.td}>
                    <Badge tone={volumeStatusTone(v.status)}>{v.status}</Badge>
                  </td>
                  <td className={`${RT.td} font-mono text-xs text-fg [overflow-wrap:anywhere]`}>
                    {v.attachedTo ?? <span className="font-sans text-sm text-muted">—</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
          <p className="border-t border-border px-5 py-3 text-xs text-muted">
            {!made
              ? "What the cluster makes for itself (Services of type LoadBalancer, claims) is listed below once its API answers."
              : madeLbs + madeVolumes === 0
                ? "The cluster has made no load balancers or volumes for itself yet."
                : `The cluster made ${plural(madeLbs, "load balancer", "load balancers")} and ${plural(madeVolumes, "volume", "volumes")} for itself: see "Made by the cluster" below.`}
          </p>
        </>
      )}
    </Card>
  );
}
