import { ANY_METHOD } from "../../http";
import { constraintStatus, gatekeeperInstalled, invalidParameters } from "../gatekeeper";
import type { StoredObject } from "../types";
import {
  labelMatch,
  noSuchResource,
  notFound,
  status,
  type KubeCall,
  type KubeResponse,
  type KubeRouter,
} from "./common";
import { listOf, removeObject, storedBody, writeObject } from "./stored";

/** Gatekeeper's ConstraintTemplates and constraints (objects kept as written), while Gatekeeper is installed. */

export const templateKind = (t: StoredObject) =>
  String(
    (t.spec as { crd?: { spec?: { names?: { kind?: unknown } } } } | undefined)?.crd?.spec?.names?.kind ?? "",
  );

type Handler = (call: KubeCall, params: Record<string, string>) => KubeResponse;

/** Gatekeeper's APIs exist only while it is installed. */
const whileInstalled =
  (handler: Handler): Handler =>
  (call, params) =>
    gatekeeperInstalled(call.ctx.k)
      ? handler(call, params)
      : status(
          404,
          "NotFound",
          "the server could not find the requested resource (Gatekeeper is not installed)",
        );

export function gatekeeperRoutes(router: KubeRouter): void {
  for (const version of ["v1", "v1beta1"]) {
    const tpl = `/apis/templates.gatekeeper.sh/${version}/constrainttemplates`;
    router.on(
      ANY_METHOD,
      tpl,
      whileInstalled((call) => templates(call, null)),
    );
    router.on(
      ANY_METHOD,
      `${tpl}/:name`,
      whileInstalled((call, { name }) => templates(call, name!)),
    );
    const con = `/apis/constraints.gatekeeper.sh/${version}/:plural`;
    router.on(
      ANY_METHOD,
      con,
      whileInstalled((call, { plural }) => constraints(call, plural!, null)),
    );
    router.on(
      ANY_METHOD,
      `${con}/:name`,
      whileInstalled((call, { plural, name }) => constraints(call, plural!, name!)),
    );
  }
}

function templates(call: KubeCall, pathName: string | null): KubeResponse {
  const {
    ctx: { k },
    req,
  } = call;
  const body = storedBody(call);
  const name = pathName ?? body.metadata?.name ?? null;
  const view = (t: StoredObject) => ({
    ...t,
    status: {
      created: true,
      byPod: [
        {
          id: "gatekeeper-controller-manager",
          observedGeneration: t.metadata.generation,
          operations: ["webhook"],
        },
      ],
    },
  });
  if (req.method === "GET" && !pathName)
    return listOf(
      call,
      "ConstraintTemplate",
      "templates.gatekeeper.sh/v1",
      Object.values(k.templates)
        .filter((t) => labelMatch(req.query.get("labelSelector"), t.metadata.labels ?? {}))
        .map(view),
    );
  if (!name)
    return status(
      422,
      "Invalid",
      "ConstraintTemplate.templates.gatekeeper.sh is invalid: metadata.name: Required value",
    );
  if (req.method === "GET")
    return k.templates[name]
      ? { status: 200, body: view(k.templates[name]) }
      : notFound("constrainttemplates", name, "templates.gatekeeper.sh");
  if (req.method === "DELETE") {
    const t = k.templates[name];
    if (t) {
      // The CRD goes, and every constraint of its kind with it.
      const kind = templateKind(t);
      for (const key of Object.keys(k.constraints)) if (key.startsWith(`${kind}/`)) delete k.constraints[key];
    }
    return removeObject(call, k.templates, name, "constrainttemplates", name);
  }
  if (req.method === "POST" || req.method === "PUT") {
    const kind = templateKind(body as StoredObject);
    const targets = (
      body.spec as { targets?: Array<{ target?: string; rego?: string; code?: unknown }> } | undefined
    )?.targets;
    if (!kind || kind.toLowerCase() !== name)
      return status(
        422,
        "Invalid",
        `ConstraintTemplate.templates.gatekeeper.sh "${name}" is invalid: metadata.name: must be the lowercased spec.crd.spec.names.kind`,
      );
    if (!targets?.length || targets.some((t) => !t.rego && !t.code))
      return status(
        422,
        "Invalid",
        `ConstraintTemplate.templates.gatekeeper.sh "${name}" is invalid: spec.targets: a target needs rego or code`,
      );
    return writeObject(
      call,
      k.templates,
      name,
      { apiVersion: "templates.gatekeeper.sh/v1", kind: "ConstraintTemplate", name },
      k.templates[name],
    );
  }
  return status(405, "MethodNotAllowed", `${req.method} is not supported on constrainttemplates`);
}

function constraints(call: KubeCall, plural: string, pathName: string | null): KubeResponse {
  const {
    ctx: { engine, k },
    req,
    nodes,
  } = call;
  const body = storedBody(call);
  const template = Object.values(k.templates).find((t) => templateKind(t).toLowerCase() === plural);
  if (!template) return noSuchResource();
  const kind = templateKind(template);
  const name = pathName ?? body.metadata?.name ?? null;
  const view = (c: StoredObject) => ({ ...c, status: constraintStatus(engine, k, c, nodes) });
  if (req.method === "GET" && !pathName)
    return listOf(
      call,
      kind,
      "constraints.gatekeeper.sh/v1beta1",
      Object.values(k.constraints)
        .filter((c) => c.kind === kind)
        .map(view),
    );
  if (!name) return status(422, "Invalid", `${kind} is invalid: metadata.name: Required value`);
  const key = `${kind}/${name}`;
  if (req.method === "GET")
    return k.constraints[key]
      ? { status: 200, body: view(k.constraints[key]) }
      : notFound(plural, name, "constraints.gatekeeper.sh");
  if (req.method === "DELETE") return removeObject(call, k.constraints, key, plural, name);
  if (req.method === "POST" || req.method === "PUT") {
    const bad = invalidParameters(template, (body.spec as { parameters?: unknown } | undefined)?.parameters);
    if (bad) return status(422, "Invalid", `${kind}.constraints.gatekeeper.sh "${name}" is invalid: ${bad}`);
    const action = (body.spec as { enforcementAction?: unknown } | undefined)?.enforcementAction ?? "deny";
    if (!["deny", "dryrun", "warn"].includes(String(action)))
      return status(
        422,
        "Invalid",
        `${kind}.constraints.gatekeeper.sh "${name}" is invalid: spec.enforcementAction: Unsupported value: "${String(action)}"`,
      );
    return writeObject(
      call,
      k.constraints,
      key,
      { apiVersion: "constraints.gatekeeper.sh/v1beta1", kind, name },
      k.constraints[key],
    );
  }
  return status(405, "MethodNotAllowed", `${req.method} is not supported on ${plural}`);
}
