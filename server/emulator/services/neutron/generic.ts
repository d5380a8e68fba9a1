import {
  bodyObject,
  fault,
  LIST_CONTROL_PARAMS,
  matchesTags,
  paginate,
  strList,
  type Req,
  type Router,
} from "../../http";
import type { FloatingIp, Port, Router as NRouter } from "../../state";
import { P, type Neutron } from "./context";
import { SINGULAR, store, type Kind } from "./kinds";
import { associate } from "./floating-ips";
import { setGateway } from "./routers";

/** List (any attribute filters, tags, pagination), get, tags and update, alike for every kind. */

/** Query parameters that are not attribute filters. */
const CONTROL = new Set<string>([...LIST_CONTROL_PARAMS, "sort_key", "sort_dir", "page_reverse"]);

export function genericRoutes(router: Router, neutron: Neutron): void {
  const { s, need, ok, view, get, isExternalSubnet, owned, touch } = neutron;
  for (const kind of Object.keys(SINGULAR) as Kind[]) {
    const collection = kind.replace("-", "_");
    router.on("GET", `${P}/${kind}`, (req) => {
      const { projectId } = need(req);
      const all = Object.values(
        store(s(), kind) as Record<
          string,
          { id: string; projectId: string; tags: string[]; external?: boolean; createdAt: number }
        >,
      );
      let items = all
        .filter(
          (x) =>
            x.projectId === projectId || x.external === true || (kind === "subnets" && isExternalSubnet(x)),
        )
        .filter((x) => matchesTags(x.tags, req.query))
        .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
      // Any attribute can be a filter, as in Neutron; repeated keys mean "any of".
      const filters = new Map<string, string[]>();
      for (const [k, v] of req.query) if (!CONTROL.has(k)) filters.set(k, [...(filters.get(k) ?? []), v]);
      if (filters.size) {
        items = items.filter((x) => {
          const v = view(kind, x);
          for (const [k, wanted] of filters) {
            if (k === "fixed_ips") continue;
            const actual = v[k];
            if (actual === undefined) continue;
            if (!wanted.includes(String(actual))) return false;
          }
          return true;
        });
      }
      const { page, links } = paginate(req, items, collection);
      return ok(200, {
        [collection]: page.map((x) => view(kind, x)),
        ...(links.length ? { [`${collection}_links`]: links } : {}),
      });
    });
    router.on("GET", `${P}/${kind}/:id`, (req, { id }) =>
      ok(200, { [SINGULAR[kind]]: view(kind, get(req, kind, id!)) }),
    );

    // Tags (standard-attr-tag): replace all, add one, check, remove one, remove all.
    const tagged = (req: Req, id: string) => {
      const x = get(req, kind, id) as unknown as {
        tags: string[];
        projectId: string;
        updatedAt: number;
        revision: number;
      };
      owned(req, x, kind, id);
      return x;
    };
    router.on("GET", `${P}/${kind}/:id/tags`, (req, { id }) => ok(200, { tags: tagged(req, id!).tags }));
    router.on("PUT", `${P}/${kind}/:id/tags`, (req, { id }) => {
      const x = tagged(req, id!);
      const tags = strList((req.body ?? {}) as Record<string, unknown>, "tags");
      if (!tags)
        throw fault("network", 400, "Invalid input: 'tags' must be a list of strings.", "HTTPBadRequest");
      x.tags = [...new Set(tags)];
      touch(x);
      return ok(200, { tags: x.tags });
    });
    router.on("PUT", `${P}/${kind}/:id/tags/:tag`, (req, { id, tag }) => {
      const x = tagged(req, id!);
      if (!x.tags.includes(tag!)) x.tags.push(tag!);
      touch(x);
      return ok(201);
    });
    router.on("GET", `${P}/${kind}/:id/tags/:tag`, (req, { id, tag }) => {
      if (!tagged(req, id!).tags.includes(tag!))
        throw fault(
          "network",
          404,
          `Tag ${tag} could not be found for ${SINGULAR[kind]} ${id}.`,
          "TagNotFound",
        );
      return ok(204);
    });
    router.on("DELETE", `${P}/${kind}/:id/tags/:tag`, (req, { id, tag }) => {
      const x = tagged(req, id!);
      if (!x.tags.includes(tag!))
        throw fault(
          "network",
          404,
          `Tag ${tag} could not be found for ${SINGULAR[kind]} ${id}.`,
          "TagNotFound",
        );
      x.tags = x.tags.filter((t) => t !== tag);
      touch(x);
      return ok(204);
    });
    router.on("DELETE", `${P}/${kind}/:id/tags`, (req, { id }) => {
      const x = tagged(req, id!);
      x.tags = [];
      touch(x);
      return ok(204);
    });
    router.on("PUT", `${P}/${kind}/:id`, (req, { id }) => {
      const x = get(req, kind, id!) as unknown as {
        name: string;
        description: string;
        projectId: string;
        updatedAt: number;
        revision: number;
      };
      owned(req, x, kind, id!);
      const body = bodyObject(req, SINGULAR[kind], "network");
      if (typeof body.name === "string") x.name = body.name;
      if (typeof body.description === "string") x.description = body.description;
      if (kind === "ports" && Array.isArray(body.security_groups))
        (x as unknown as Port).securityGroupIds = body.security_groups as string[];
      if (kind === "ports" && typeof body.device_id === "string")
        (x as unknown as Port).deviceId = body.device_id;
      if (kind === "routers" && "external_gateway_info" in body)
        setGateway(neutron, x as unknown as NRouter, body.external_gateway_info);
      if (kind === "floatingips" && "port_id" in body)
        associate(neutron, x as unknown as FloatingIp, body.port_id);
      touch(x);
      return ok(200, { [SINGULAR[kind]]: view(kind, x) });
    });
  }
}
