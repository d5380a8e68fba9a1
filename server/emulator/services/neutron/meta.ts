import { fault, type Router } from "../../http";
import { P, type Neutron } from "./context";
import { SINGULAR, type Kind } from "./kinds";

/** Versions and extensions: what clients discover first. */
export function metaRoutes(router: Router, neutron: Neutron): void {
  const { engine, need, ok } = neutron;
  router.on("GET", "/network", (req) =>
    ok(200, {
      versions: [{ id: "v2.0", status: "CURRENT", links: [{ rel: "self", href: `${req.baseUrl}${P}/` }] }],
    }),
  );
  router.on("GET", P, (req) =>
    ok(200, {
      resources: (Object.keys(SINGULAR) as Kind[]).map((k) => ({
        name: SINGULAR[k],
        collection: k,
        links: [{ rel: "self", href: `${req.baseUrl}${P}/${k}` }],
      })),
    }),
  );

  const ALL_EXTENSIONS = [
    ["external-net", "Neutron external network"],
    ["router", "Neutron L3 Router"],
    ["security-group", "security-group"],
    ["quotas", "Quota management support"],
    ["quota_details", "Quota details management support"],
    [
      "standard-attr-tag",
      "Tag support for resources with standard attribute: subnet, trunk, network_segment_range, router, network, policy, subnetpool, port, security_group, floatingip",
    ],
    ["tag-creation", "Tag creation extension"],
    ["standard-attr-description", "standard-attr-description"],
    ["standard-attr-timestamp", "Resource timestamps"],
    ["standard-attr-revisions", "Resource revision numbers"],
    ["binding", "Port Binding"],
    ["port-security", "Port Security"],
    ["allowed-address-pairs", "Allowed Address Pairs"],
    ["ext-gw-mode", "Neutron L3 Configurable external gateway mode"],
    ["fip-port-details", "Floating IP Port Details Extension"],
    ["pagination", "Pagination support"],
    ["sorting", "Sorting support"],
  ] as const;
  // The release profile decides whether tags may be given on create.
  const EXTENSIONS = ALL_EXTENSIONS.filter(
    ([alias]) => alias !== "tag-creation" || engine.profile.tagCreation,
  );
  router.on("GET", `${P}/extensions`, (req) => {
    need(req);
    return ok(200, {
      extensions: EXTENSIONS.map(([alias, name]) => ({
        alias,
        name,
        description: name,
        updated: "2023-03-01T00:00:00-00:00",
        links: [],
      })),
    });
  });
  router.on("GET", `${P}/extensions/:alias`, (req, { alias }) => {
    need(req);
    const e = EXTENSIONS.find(([a]) => a === alias);
    if (!e) throw fault("network", 404, `Extension with alias ${alias} does not exist`, "ExtensionNotFound");
    return ok(200, {
      extension: {
        alias: e[0],
        name: e[1],
        description: e[1],
        updated: "2023-03-01T00:00:00-00:00",
        links: [],
      },
    });
  });
}
