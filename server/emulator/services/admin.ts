import { z } from "zod";
import { TestClock } from "../clock";
import type { Engine } from "../engine";
import { FaultRuleInput, type Faults } from "../faults";
import { fault, type Req, type Router } from "../http";
import { syncKube } from "../kube/sync";
import { workloadView } from "../kube/view";
import { LoadProfileInput } from "@/server/contracts/workload";
import { addProject, QUOTA_KEYS, ZONES } from "../state";

/**
 * The emulator's own control API under /_emulator: fault injection,
 * outages, projects and quotas, the clock. It needs the admin key
 * (header `X-Emulator-Admin-Key`); a project's token does not open it.
 */
export interface AdminOptions {
  faults: Faults;
  setTokenTtlMs: (ms: number) => void;
}

function parse<T>(schema: z.ZodType<T>, req: Req): T {
  const r = schema.safeParse(req.body ?? {});
  if (!r.success)
    throw fault(
      "admin",
      400,
      r.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; "),
    );
  return r.data;
}

export function adminRoutes(router: Router, engine: Engine, opts: AdminOptions): void {
  const s = () => engine.state;
  const A = "/_emulator";

  router.on("GET", `${A}/summary`, () => ({
    status: 200,
    body: {
      now: new Date(engine.now()).toISOString(),
      speed: engine.speed,
      zones: ZONES.map((z) => ({ name: z, down: s().zonesDown.includes(z) })),
      projects: Object.values(s().projects).map((p) => ({
        id: p.id,
        name: p.name,
        usage: engine.usage(p.id),
        quota: engine.quota(p.id),
      })),
      pendingChanges: s().schedule.length,
    },
  }));

  router.on("POST", `${A}/projects`, (req) => {
    const { name } = parse(z.object({ name: z.string().min(1).max(64) }), req);
    const { project, user, appCredential } = addProject(s(), name);
    engine.markDirty();
    return {
      status: 201,
      body: {
        project: { id: project.id, name: project.name },
        user: { id: user.id, name: user.name, password: user.password },
        application_credential: { id: appCredential.id, secret: appCredential.secret },
      },
    };
  });

  router.on("PUT", `${A}/projects/:id/quotas`, (req, { id }) => {
    if (!s().quotas[id!]) throw fault("admin", 404, `Project ${id} not found`);
    const patch = parse(
      z.object(Object.fromEntries(QUOTA_KEYS.map((k) => [k, z.number().int().min(-1).optional()]))),
      req,
    ) as Record<string, number | undefined>;
    for (const [k, v] of Object.entries(patch))
      if (v !== undefined) (s().quotas[id!] as Record<string, number>)[k] = v;
    engine.markDirty();
    return { status: 200, body: { quota: s().quotas[id!] } };
  });

  router.on("GET", `${A}/faults`, () => ({ status: 200, body: { faults: opts.faults.list() } }));
  router.on("POST", `${A}/faults`, (req) => ({
    status: 201,
    body: { fault: opts.faults.add(parse(FaultRuleInput, req)) },
  }));
  router.on("DELETE", `${A}/faults`, () => (opts.faults.clear(), { status: 204 }));
  router.on("DELETE", `${A}/faults/:id`, (_req, { id }) => {
    if (!opts.faults.remove(Number(id))) throw fault("admin", 404, `Fault rule ${id} not found`);
    return { status: 204 };
  });

  router.on("POST", `${A}/zones/:zone/outage`, (req, { zone }) => {
    if (!(ZONES as readonly string[]).includes(zone!))
      throw fault("admin", 404, `Availability zone ${zone} not found`);
    const { down } = parse(z.object({ down: z.boolean() }), req);
    s().zonesDown = down ? [...new Set([...s().zonesDown, zone!])] : s().zonesDown.filter((x) => x !== zone);
    engine.markDirty();
    return { status: 200, body: { zone, down } };
  });

  router.on("POST", `${A}/servers/:id/fail`, (_req, { id }) => {
    const srv = s().servers[id!];
    if (!srv) throw fault("admin", 404, `Server ${id} not found`);
    // Whatever the server was doing (booting, rebuilding, stopping) will not finish.
    engine.unschedule(srv.id);
    Object.assign(srv, {
      status: "ERROR",
      taskState: null,
      fault: { code: 500, message: "Injected failure: the hypervisor lost this instance" },
      updatedAt: engine.now(),
    });
    engine.markDirty();
    return { status: 200, body: { id, status: "ERROR" } };
  });

  router.on("POST", `${A}/loadbalancers/:id/fail-amphora`, (_req, { id }) => {
    const lb = s().loadBalancers[id!];
    if (!lb || lb.provisioningStatus !== "ACTIVE")
      throw fault("admin", 409, `Load balancer ${id} is not ACTIVE`);
    // VRRP: the standby takes the VIP at once; Octavia then rebuilds the failed amphora.
    const gen: [number, number] = [...(lb.amphoraGen ?? [0, 0])];
    gen[lb.activeAmphora] += 1; // the failed MASTER is rebuilt under a new id, as BACKUP
    lb.amphoraGen = gen;
    lb.activeAmphora = lb.activeAmphora === 0 ? 1 : 0;
    lb.failovers += 1;
    lb.provisioningStatus = "PENDING_UPDATE";
    lb.failoverUntil = engine.schedule("lb.failover.done", lb.id, "lbUpdate");
    engine.markDirty();
    return { status: 200, body: { id, activeAmphora: lb.activeAmphora, failovers: lb.failovers } };
  });

  /**
   * An emulated cluster's workload (load, deployments, nodes' requests and
   * usage), its load profile, and kubelet failures, scoped to the project
   * whose servers run the cluster.
   */
  const clusterIn = (pid: string, cid: string) => {
    const nodes = syncKube(engine).get(cid);
    const k = s().kube[cid];
    if (!nodes || !k || !nodes.some((n) => n.server.projectId === pid))
      throw fault("admin", 404, `Cluster ${cid} has no nodes in project ${pid}`);
    return { k, nodes };
  };
  const C = `${A}/projects/:pid/clusters/:cid`;
  router.on("GET", `${C}/workload`, (_req, { pid, cid }) => {
    const { k, nodes } = clusterIn(pid!, cid!);
    return { status: 200, body: workloadView(engine, k, nodes) };
  });
  router.on("PUT", `${C}/load`, (req, { pid, cid }) => {
    const { k, nodes } = clusterIn(pid!, cid!);
    const input = parse(LoadProfileInput, req);
    if (input.profile !== "steady" && input.peak < input.base)
      throw fault("admin", 400, "peak: the peak load must be at least the base load");
    k.load = { ...input, since: engine.now() };
    k.resourceVersion++;
    engine.markDirty();
    syncKube(engine);
    return { status: 200, body: workloadView(engine, k, nodes) };
  });
  router.on("POST", `${C}/nodes/:node/fail`, (_req, { pid, cid, node }) => {
    const { k, nodes } = clusterIn(pid!, cid!);
    const n = nodes.find((x) => x.name === node);
    if (!n) throw fault("admin", 404, `Node ${node} not found in cluster ${cid}`);
    if (n.server.status !== "ACTIVE")
      throw fault("admin", 409, `Node ${node} is not running (server ${n.server.status})`);
    // The kubelet stops posting status; the server itself stays ACTIVE, as when a kubelet or its network dies.
    k.failed[n.name] ??= engine.now();
    engine.markDirty();
    syncKube(engine);
    return { status: 200, body: { node: n.name, failedAt: new Date(k.failed[n.name]!).toISOString() } };
  });
  router.on("DELETE", `${C}/nodes/:node/fail`, (_req, { pid, cid, node }) => {
    const { k } = clusterIn(pid!, cid!);
    if (!k.failed[node!]) throw fault("admin", 404, `Node ${node} has no injected failure`);
    delete k.failed[node!];
    engine.markDirty();
    syncKube(engine);
    return { status: 204 };
  });

  router.on("PUT", `${A}/token-ttl`, (req) => {
    const { seconds } = parse(z.object({ seconds: z.number().int().min(1).max(86_400) }), req);
    opts.setTokenTtlMs(seconds * 1000);
    return { status: 200, body: { seconds } };
  });

  router.on("PUT", `${A}/speed`, (req) => {
    const { speed } = parse(z.object({ speed: z.number().positive() }), req);
    engine.speed = speed;
    return { status: 200, body: { speed } };
  });

  router.on("POST", `${A}/clock/advance`, (req) => {
    if (!(engine.clock instanceof TestClock))
      throw fault(
        "admin",
        409,
        "The emulator runs on the real clock; start it with a test clock to advance time.",
      );
    const { ms } = parse(z.object({ ms: z.number().int().min(0) }), req);
    return { status: 200, body: { now: new Date(engine.clock.advance(ms)).toISOString() } };
  });
}
