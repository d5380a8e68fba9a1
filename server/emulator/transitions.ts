import type { Engine } from "./engine";
import type { ScheduledChange } from "./state";

/**
 * What each scheduled change does when its time comes. Every change
 * re-checks the resource, so a change for something deleted meanwhile is a
 * no-op.
 */
export function applyChange(engine: Engine, c: ScheduledChange): void {
  const s = engine.state;
  const now = engine.now();
  switch (c.kind) {
    case "server.built": {
      const srv = s.servers[c.id];
      if (!srv || srv.status !== "BUILD") return;
      srv.taskState = null;
      srv.updatedAt = now;
      if (srv.failBuild || s.zonesDown.includes(srv.az)) {
        srv.status = "ERROR";
        srv.fault = { code: 500, message: "No valid host was found. There are not enough hosts available." };
      } else {
        srv.status = "ACTIVE";
        srv.launchedAt = now;
      }
      return;
    }
    case "server.stopped":
    case "server.started":
    case "server.rebuilt": {
      const srv = s.servers[c.id];
      if (!srv) return;
      srv.status = c.kind === "server.stopped" ? "SHUTOFF" : "ACTIVE";
      srv.taskState = null;
      srv.updatedAt = now;
      if (c.kind !== "server.stopped") srv.launchedAt = now;
      return;
    }
    case "server.deleted": {
      const srv = s.servers[c.id];
      if (!srv) return;
      for (const pid of srv.portIds) {
        const port = s.ports[pid];
        if (!port) continue;
        // Nova deletes the ports it created; ports passed in by the user are unbound and kept.
        if (port.createdByNova) delete s.ports[pid];
        else Object.assign(port, { deviceId: "", deviceOwner: "", updatedAt: now });
        for (const fip of Object.values(s.floatingIps)) {
          if (fip.portId === pid && !s.ports[pid])
            Object.assign(fip, { portId: null, fixedIpAddress: null, routerId: null });
        }
      }
      for (const v of Object.values(s.volumes)) {
        if (v.attachment?.serverId !== srv.id) continue;
        if (v.deleteOnTermination) delete s.volumes[v.id];
        else Object.assign(v, { attachment: null, status: "available", updatedAt: now });
      }
      for (const g of Object.values(s.serverGroups)) g.members = g.members.filter((m) => m !== srv.id);
      delete s.servers[srv.id];
      return;
    }
    case "volume.available": {
      const v = s.volumes[c.id];
      if (v?.status === "creating") Object.assign(v, { status: "available", updatedAt: now });
      return;
    }
    case "volume.attaching": {
      const v = s.volumes[c.id];
      if (v?.status === "reserved") Object.assign(v, { status: "attaching", updatedAt: now });
      return;
    }
    case "volume.attached": {
      const v = s.volumes[c.id];
      if (v?.status === "reserved" || v?.status === "attaching")
        Object.assign(v, { status: "in-use", updatedAt: now });
      return;
    }
    case "volume.detached": {
      const v = s.volumes[c.id];
      if (v?.status === "detaching")
        Object.assign(v, { status: "available", attachment: null, updatedAt: now });
      return;
    }
    case "volume.extended": {
      const v = s.volumes[c.id];
      if (v?.status !== "extending") return;
      Object.assign(v, {
        size: v.pendingSize ?? v.size,
        pendingSize: null,
        status: v.attachment ? "in-use" : "available",
        updatedAt: now,
      });
      return;
    }
    case "volume.deleted": {
      if (s.volumes[c.id]?.status === "deleting") delete s.volumes[c.id];
      return;
    }
    case "lb.active": {
      const lb = s.loadBalancers[c.id];
      if (!lb || lb.provisioningStatus === "PENDING_DELETE") return;
      // Apply pending child changes first: deletions go, creations and updates become ACTIVE.
      const pools = Object.values(s.pools).filter((p) => p.loadBalancerId === lb.id);
      for (const m of Object.values(s.members)) {
        if (!pools.some((p) => p.id === m.poolId)) continue;
        if (m.provisioningStatus === "PENDING_DELETE") delete s.members[m.id];
        else if (m.provisioningStatus.startsWith("PENDING")) m.provisioningStatus = "ACTIVE";
      }
      for (const h of Object.values(s.healthMonitors)) {
        const pool = s.pools[h.poolId];
        if (!pool || pool.loadBalancerId !== lb.id) continue;
        if (h.provisioningStatus === "PENDING_DELETE") {
          pool.healthMonitorId = null;
          delete s.healthMonitors[h.id];
        } else if (h.provisioningStatus.startsWith("PENDING")) h.provisioningStatus = "ACTIVE";
      }
      for (const p of pools) {
        if (p.provisioningStatus === "PENDING_DELETE") {
          for (const m of Object.values(s.members)) if (m.poolId === p.id) delete s.members[m.id];
          if (p.healthMonitorId) delete s.healthMonitors[p.healthMonitorId];
          for (const l of Object.values(s.listeners)) if (l.defaultPoolId === p.id) l.defaultPoolId = null;
          delete s.pools[p.id];
        } else if (p.provisioningStatus.startsWith("PENDING")) p.provisioningStatus = "ACTIVE";
      }
      for (const l of Object.values(s.listeners)) {
        if (l.loadBalancerId !== lb.id) continue;
        if (l.provisioningStatus === "PENDING_DELETE") {
          for (const p of Object.values(s.pools)) if (p.listenerId === l.id) p.listenerId = null;
          delete s.listeners[l.id];
        } else if (l.provisioningStatus.startsWith("PENDING")) l.provisioningStatus = "ACTIVE";
      }
      // Another change may still be scheduled for this LB (several child edits in a row).
      const more = s.schedule.some((x) => x.id === lb.id && x.kind === "lb.active");
      if (!more) lb.provisioningStatus = "ACTIVE";
      lb.updatedAt = now;
      return;
    }
    case "lb.deleted": {
      const lb = s.loadBalancers[c.id];
      if (!lb) return;
      const pools = Object.values(s.pools).filter((p) => p.loadBalancerId === lb.id);
      for (const p of pools) {
        for (const m of Object.values(s.members)) if (m.poolId === p.id) delete s.members[m.id];
        if (p.healthMonitorId) delete s.healthMonitors[p.healthMonitorId];
        delete s.pools[p.id];
      }
      for (const l of Object.values(s.listeners)) if (l.loadBalancerId === lb.id) delete s.listeners[l.id];
      delete s.ports[lb.vipPortId];
      delete s.loadBalancers[lb.id];
      return;
    }
    case "lb.failover.done": {
      const lb = s.loadBalancers[c.id];
      if (!lb) return;
      lb.failoverUntil = null;
      if (
        lb.provisioningStatus === "PENDING_UPDATE" &&
        !s.schedule.some((x) => x.id === lb.id && x.kind === "lb.active")
      )
        lb.provisioningStatus = "ACTIVE";
      return;
    }
  }
}
