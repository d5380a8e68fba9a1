import type { Engine } from "../../engine";
import { fault, standardAttrs, type Req, type Res } from "../../http";
import type { Subnet } from "../../state";
import { LABEL, NOT_FOUND_TYPE, SINGULAR, store, type Kind, type KindMap } from "./kinds";
import { neutronViews } from "./views";

/**
 * What every Neutron resource's handlers share: the kinds with standard
 * attributes, lookups that answer 404 in Neutron's words, ownership,
 * quota and revision bookkeeping.
 */

export const P = "/network/v2.0";

export type NeutronQuotaKey =
  "networks" | "subnets" | "ports" | "routers" | "security_groups" | "floatingips";

export type Neutron = ReturnType<typeof neutronContext>;

export function neutronContext(engine: Engine) {
  const s = () => engine.state;
  const need = (req: Req) => {
    if (!req.auth) throw fault("network", 401, "Authentication required", "Unauthorized");
    return req.auth;
  };
  const ok = (status: number, body?: unknown): Res => ({ status, body });
  const now = () => engine.now();
  const views = neutronViews(s);
  const view = (kind: Kind, x: unknown) => (views[kind] as (y: unknown) => Record<string, unknown>)(x);

  const get = <K extends Kind>(req: Req, kind: K, id: string): KindMap[K] => {
    const { projectId } = need(req);
    const x = (
      store(s(), kind) as Record<string, { projectId: string; external?: boolean; shared?: boolean }>
    )[id];
    const visible =
      x && (x.projectId === projectId || x.external === true || x.shared === true || isExternalSubnet(x));
    if (!visible)
      throw fault("network", 404, `${LABEL[kind]} ${id} could not be found.`, NOT_FOUND_TYPE[kind]);
    return x as unknown as KindMap[K];
  };
  const isExternalSubnet = (x: unknown) => {
    const sub = x as Partial<Subnet>;
    return typeof sub.networkId === "string" && s().networks[sub.networkId]?.external === true;
  };
  const owned = (req: Req, x: { projectId: string }, kind: Kind, id: string) => {
    if (x.projectId !== need(req).projectId)
      throw fault("network", 404, `${LABEL[kind]} ${id} could not be found.`, NOT_FOUND_TYPE[kind]);
  };
  const touch = (x: { updatedAt: number; revision: number }) => {
    x.updatedAt = now();
    x.revision += 1;
    engine.markDirty();
  };
  const quota = (projectId: string, key: NeutronQuotaKey) => {
    if (engine.overQuota(projectId, { [key]: 1 }).length) {
      const name = {
        networks: "network",
        subnets: "subnet",
        ports: "port",
        routers: "router",
        security_groups: "security_group",
        floatingips: "floatingip",
      }[key];
      throw fault("network", 409, `Quota exceeded for resources: ['${name}'].`, "OverQuota");
    }
  };
  /**
   * The standard attributes of a new resource. Without `tag-creation`,
   * `tags` is an attribute no loaded extension defines, and Neutron refuses
   * the whole body with 400 (neutron.api.v2.base verify_attributes).
   */
  const base = (projectId: string, body: Record<string, unknown>) => {
    if (!engine.profile.tagCreation && "tags" in body)
      throw fault("network", 400, "Attribute 'tags' not allowed in POST", "HTTPBadRequest");
    return standardAttrs(projectId, body, now);
  };
  /** Neutron's answer when a subnet's pool is exhausted. */
  const noMoreIps = (networkId: string) =>
    fault(
      "network",
      409,
      `No more IP addresses available on network ${networkId}.`,
      "IpAddressGenerationFailure",
    );
  /** Keep a new resource and answer 201 with it. */
  const created = <K extends Kind>(kind: K, x: KindMap[K]): Res => {
    (store(s(), kind) as Record<string, KindMap[K]>)[x.id] = x;
    engine.markDirty();
    return ok(201, { [SINGULAR[kind]]: view(kind, x) });
  };
  return {
    engine,
    s,
    need,
    ok,
    now,
    views,
    view,
    get,
    isExternalSubnet,
    owned,
    touch,
    quota,
    base,
    noMoreIps,
    created,
  };
}
