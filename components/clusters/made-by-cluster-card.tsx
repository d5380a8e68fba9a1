"use client";

import { Badge } from "@/components/ui/badge";
import { Card, CardHeader } from "@/components/ui/card";
import { formatDateTime, formatMoney, formatRelative } from "@/components/ui/format";
import { Table, TableHead } from "@/components/ui/table";
import type { ClusterData } from "./labels";
import { LbStatus, RT } from "./resource-table";
import { lbAddress, madeByClusterView, qualified, volumeStatusTone } from "./made-by-cluster";

/**
 * The load balancers and volumes the cluster made for its Services of type
 * LoadBalancer and its PersistentVolumeClaims, with what they cost a month.
 */
export function MadeByClusterCard({ cluster: c }: { cluster: ClusterData }) {
  const view = madeByClusterView(c.status.madeByCluster, c.cost);
  return (
    <Card role="region" aria-labelledby="made-by-cluster-title" data-testid="made-by-cluster">
      <CardHeader
        title={<span id="made-by-cluster-title">Made by the cluster</span>}
        description="Cloud resources the cluster's own controllers created in your project. Priced in the running cost; deleted with the cluster."
        actions={
          view.kind === "list" &&
          view.price && (
            <span className="text-sm text-fg tabular-nums" data-testid="made-by-cluster-price">
              {formatMoney(view.price.perMonth, view.price.currency)} per month
            </span>
          )
        }
      />
      {view.kind === "unknown" ? (
        <p className="px-5 py-4 text-sm text-muted">
          Not known yet: the console has not looked at the cluster&apos;s Service load balancers and claim
          volumes. They appear once its Kubernetes API answers.
        </p>
      ) : view.kind === "empty" ? (
        <div className="space-y-1.5 px-5 py-4 text-sm">
          <p className="text-fg">Nothing yet.</p>
          <p className="text-muted">
            When you create a Service of type <code className="font-mono text-xs">LoadBalancer</code> or a{" "}
            <code className="font-mono text-xs">PersistentVolumeClaim</code> with kubectl, the cluster&apos;s
            cloud controller creates an Octavia load balancer, or Cinder CSI a Cinder volume, in this project.
            They appear here, are priced in the cluster&apos;s running cost and are deleted with the cluster.
          </p>
          <AsOf at={view.at} />
        </div>
      ) : (
        <>
          <Table
            className="table-auto text-sm"
            caption={`Load balancers (${view.loadBalancers.length})`}
            captionClassName={RT.caption}
          >
            <TableHead className={RT.head} cellClassName={RT.th} columns={["Service", "Address", "Status"]} />
            <tbody className="divide-y divide-border">
              {view.loadBalancers.length === 0 && (
                <tr>
                  <td colSpan={3} className={`${RT.td} text-muted`}>
                    No Service of type LoadBalancer.
                  </td>
                </tr>
              )}
              {view.loadBalancers.map((lb) => {
                const address = lbAddress(lb);
                return (
                  <tr key={lb.id}>
                    <td className={RT.td}>
                      <div className="text-fg [overflow-wrap:anywhere]">
                        {lb.service ? qualified(lb.service) : "Service not known"}
                      </div>
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
            caption={`Volumes (${view.volumes.length})`}
            captionClassName={`${RT.caption} border-t border-border`}
          >
            <TableHead
              className={RT.head}
              cellClassName={RT.th}
              columns={[
                "Claim",
                { label: "Size", className: "text-right" },
                "Type",
                "Zone",
                "Status",
                "Attached to",
              ]}
            />
            <tbody className="divide-y divide-border">
              {view.volumes.length === 0 && (
                <tr>
                  <td colSpan={6} className={`${RT.td} text-muted`}>
                    No PersistentVolumeClaim volumes.
                  </td>
                </tr>
              )}
              {view.volumes.map((v) => (
                <tr key={v.id}>
                  <td className={RT.td}>
                    <div className="text-fg [overflow-wrap:anywhere]">
                      {v.claim ? qualified(v.claim) : "Claim not known"}
                    </div>
                    <div className={RT.resourceName}>{v.name}</div>
                  </td>
                  <td className={`${RT.td} text-right whitespace-nowrap text-fg tabular-nums`}>
                    {v.sizeGb} GB
                  </td>
                  <td className={`${RT.td} whitespace-nowrap text-fg`}>{v.volumeType ?? "default"}</td>
                  <td className={`${RT.td} whitespace-nowrap text-fg`}>{v.availabilityZone || "—"}</td>
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
          <div className="border-t border-border px-5 py-3 text-xs text-muted">
            {view.unpriced.length > 0 && (
              <p className="mb-1 text-warning">
                Not in the price: {view.unpriced.join(", ")} (the cloud&apos;s price list does not say).
              </p>
            )}
            <AsOf at={view.at} />
          </div>
        </>
      )}
    </Card>
  );
}

function AsOf({ at }: { at: string }) {
  const d = new Date(at);
  return (
    <p className="text-xs text-muted">
      Looked at{" "}
      <time dateTime={at} title={formatDateTime(d)}>
        {formatRelative(d)}
      </time>
      .
    </p>
  );
}
