import type { ClusterRef } from "@/server/contracts/cluster";
import {
  type FailAmphoraInput,
  type NodeRefInput,
  type SetLoadInput,
  WorkloadView,
} from "@/server/contracts/workload";
import { emulatorEndpoint } from "@/server/env";
import { EmulatorAdminError, emulatorAdmin } from "@/server/openstack/emulator-admin";
import { recordAudit } from "../audit/record";
import { emulatorProjectOf } from "../cloud/resolve";
import type { ServiceContext } from "../context";
import { ServiceError } from "../errors";
import type { ProjectAccess } from "../project/access";
import { loadCluster } from "./view";

/**
 * The demo controls of a cluster that runs on the built-in emulator: the
 * customer's load, a kubelet that dies, an amphora that fails. They drive
 * the emulator's admin API for this project's emulator project only; on a
 * real cloud they do not exist (nobody can make real load or break real
 * hardware from a console). The cloud itself is still only changed by the
 * reconciler.
 */

type Args<I = ClusterRef> = { ctx: ServiceContext; project: ProjectAccess; input: I };

async function emulatorFor(ctx: ServiceContext, projectId: string) {
  // The emulator this console runs with, if any (server/env.ts).
  const endpoint = emulatorEndpoint();
  if (!endpoint) return null;
  const project = await emulatorProjectOf(ctx.db, projectId);
  return project ? { admin: emulatorAdmin(endpoint), project } : null;
}

/** An emulator admin call; its refusals become service errors. */
async function call(
  target: NonNullable<Awaited<ReturnType<typeof emulatorFor>>>,
  method: string,
  path: string,
  body?: unknown,
): Promise<unknown> {
  try {
    return await target.admin.call(method, path, body);
  } catch (err) {
    if (!(err instanceof EmulatorAdminError)) throw err;
    throw new ServiceError(
      err.status === 404 ? "NOT_FOUND" : err.status === 409 ? "PRECONDITION_FAILED" : "VALIDATION",
      err.message,
    );
  }
}

async function target(a: Args) {
  const c = await loadCluster(a.ctx.db, a.project.id, a.input.clusterId);
  const t = await emulatorFor(a.ctx, a.project.id);
  if (!t)
    throw new ServiceError(
      "PRECONDITION_FAILED",
      "Load and failure controls exist only for clusters on the built-in emulator",
    );
  if (c.power === "off" || c.deletionRequestedAt)
    throw new ServiceError("PRECONDITION_FAILED", `Cluster ${c.name} is not running`);
  return { c, t, base: `/projects/${t.project}/clusters/${c.id}` };
}

/** The workload as the emulated cluster runs it; `available: false` on a real cloud or before the nodes joined. */
export async function getWorkload(a: Args) {
  const c = await loadCluster(a.ctx.db, a.project.id, a.input.clusterId);
  const t = await emulatorFor(a.ctx, a.project.id);
  if (!t) return { available: false as const, reason: "real-cloud" as const };
  if (c.power === "off") return { available: false as const, reason: "stopped" as const };
  try {
    const view = WorkloadView.parse(await call(t, "GET", `/projects/${t.project}/clusters/${c.id}/workload`));
    return { available: true as const, view };
  } catch (err) {
    if (err instanceof ServiceError && err.code === "NOT_FOUND")
      return { available: false as const, reason: "no-nodes" as const };
    throw err;
  }
}

async function audited<T>(
  a: Args,
  action: string,
  details: Record<string, string | number | null>,
  run: () => Promise<T>,
) {
  const result = await run();
  await recordAudit(a.ctx.db, a.ctx, {
    action,
    outcome: "success",
    projectId: a.project.id,
    targetType: "cluster",
    targetId: a.input.clusterId,
    details,
  });
  return result;
}

export async function setLoad(a: Args<SetLoadInput>) {
  const { t, base } = await target(a);
  if (a.input.load.profile !== "steady" && a.input.load.peak < a.input.load.base)
    throw new ServiceError("VALIDATION", "The peak load must be at least the base load", {
      fieldErrors: { peak: ["The peak load must be at least the base load"] },
    });
  return audited(
    a,
    "workload.setLoad",
    {
      profile: a.input.load.profile,
      base: a.input.load.base,
      peak: a.input.load.peak,
      periodMinutes: a.input.load.periodMinutes,
    },
    async () => WorkloadView.parse(await call(t, "PUT", `${base}/load`, a.input.load)),
  );
}

export async function failNode(a: Args<NodeRefInput>) {
  const { c, t, base } = await target(a);
  if (!c.status.nodes.some((n) => n.name === a.input.node && n.role === "worker"))
    throw new ServiceError("NOT_FOUND", `Worker ${a.input.node} not found in cluster ${c.name}`);
  return audited(a, "workload.failNode", { node: a.input.node }, () =>
    call(t, "POST", `${base}/nodes/${encodeURIComponent(a.input.node)}/fail`),
  );
}

export async function recoverNode(a: Args<NodeRefInput>) {
  const { t, base } = await target(a);
  return audited(a, "workload.recoverNode", { node: a.input.node }, () =>
    call(t, "DELETE", `${base}/nodes/${encodeURIComponent(a.input.node)}/fail`),
  );
}

/** Fail the MASTER amphora of one of the cluster's load balancers (by name, as the status lists them). */
export async function failAmphora(a: Args<FailAmphoraInput>) {
  const { c, t } = await target(a);
  // The id the reconciler read from the cluster's own project (the status is this project's row).
  const lb = c.status.loadBalancers?.[a.input.loadBalancer];
  if (!lb)
    throw new ServiceError(
      "NOT_FOUND",
      `Load balancer ${a.input.loadBalancer} not found in cluster ${c.name}`,
    );
  return audited(a, "workload.failAmphora", { loadBalancer: a.input.loadBalancer }, () =>
    call(t, "POST", `/loadbalancers/${lb.id}/fail-amphora`),
  );
}
