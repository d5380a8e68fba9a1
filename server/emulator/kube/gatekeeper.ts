import Ajv, { type Options, type ValidateFunction } from "ajv";
import { RE2JS } from "re2js";
import type { Engine } from "../engine";
import { podReady, recordEvent, type NodeView } from "./model";
import { parse as parseYaml } from "yaml";
import { isGatekeeperChart } from "./chart-index";
import { appliedKey, gatekeeperReleased, helmCharts } from "./helm";
import type { Deployment, KubeClusterState, Pod, Service, StoredObject } from "./types";

type RegExpEngine = NonNullable<NonNullable<Options["code"]>["regExp"]>;

/**
 * The emulated cluster's OPA Gatekeeper, once a release of its chart is
 * installed (helm.ts). It serves
 * ConstraintTemplates and constraints, audits the cluster's pods and
 * services against them, and refuses violating pods at admission for
 * `deny` constraints. The emulator has no Rego engine: it evaluates the
 * console library's templates by kind with the same rules their Rego
 * states; a custom template's constraints are accepted and enforced by
 * nobody, and their status says the audit could not evaluate them.
 */

export const GATEKEEPER_NAMESPACE = "gatekeeper-system";
const VIOLATIONS_LIMIT = 20;

export function gatekeeperInstalled(k: KubeClusterState): boolean {
  return gatekeeperReleased(k);
}

/** Whether a Gatekeeper component has a ready pod (audit, or the admission webhook). */
export function componentReady(
  engine: Engine,
  k: KubeClusterState,
  nodes: Map<string, NodeView>,
  component: "audit" | "controller-manager",
): boolean {
  return k.pods.some(
    (p) =>
      p.namespace === GATEKEEPER_NAMESPACE &&
      p.app === `gatekeeper-${component}` &&
      podReady(engine, p, nodes),
  );
}

// ── objects as the API shows them ──────────────────────────────────────────────

export function podManifest(k: KubeClusterState, p: Pod) {
  const d = k.deployments.find((x) => x.namespace === p.namespace && x.name === p.app);
  const t = d?.template ?? {
    labels: { app: p.app },
    containers: [{ name: p.app, image: `${p.app}:latest` }],
  };
  return {
    metadata: {
      name: p.name,
      namespace: p.namespace,
      labels: { ...t.labels, app: p.app },
      ...(t.annotations ? { annotations: t.annotations } : {}),
    },
    spec: {
      ...(t.hostNetwork ? { hostNetwork: true } : {}),
      ...(t.hostPID ? { hostPID: true } : {}),
      ...(t.hostIPC ? { hostIPC: true } : {}),
      ...(t.securityContext ? { securityContext: t.securityContext } : {}),
      ...(t.volumes ? { volumes: t.volumes } : {}),
      containers: t.containers.map((c) => ({
        name: c.name,
        image: c.image,
        ...(c.ports ? { ports: c.ports } : {}),
        ...(c.securityContext ? { securityContext: c.securityContext } : {}),
        resources: {
          requests: { cpu: `${d?.cpuMilli ?? 100}m`, memory: `${d?.memoryMi ?? 128}Mi` },
          ...(c.limits ? { limits: c.limits } : {}),
        },
      })),
    },
  };
}

export function serviceManifest(s: Service) {
  return {
    metadata: { name: s.name, namespace: s.namespace, labels: {} as Record<string, string> },
    spec: {
      type: s.type,
      ports: s.ports.map((p) => ({
        port: p.port,
        protocol: "TCP",
        ...(p.nodePort ? { nodePort: p.nodePort } : {}),
      })),
    },
  };
}

// ── evaluation ─────────────────────────────────────────────────────────────────

type Obj = ReturnType<typeof podManifest> | ReturnType<typeof serviceManifest>;
type Json = Record<string, unknown>;
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const strs = (v: unknown): string[] => arr(v).filter((x): x is string => typeof x === "string");
const get = (o: unknown, ...keys: string[]): unknown =>
  keys.reduce<unknown>((cur, k) => (cur && typeof cur === "object" ? (cur as Json)[k] : undefined), o);

/** CPU in millicores, memory in bytes. */
export function quantity(q: unknown): number | null {
  if (typeof q !== "string" && typeof q !== "number") return null;
  const m = /^([0-9.]+)(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(String(q));
  if (!m) return null;
  const n = Number(m[1]);
  const mult: Record<string, number> = {
    m: 1,
    "": 1000,
    Ki: 1024,
    Mi: 1024 ** 2,
    Gi: 1024 ** 3,
    Ti: 1024 ** 4,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
  };
  return n * (mult[m[2] ?? ""] ?? 1);
}
const bytes = (q: unknown) => {
  const s = String(q);
  if (/^[0-9.]+$/.test(s)) return Number(s);
  return quantity(q);
};

function exempt(image: string, list: string[]): boolean {
  return list.some((e) => (e.endsWith("*") ? image.startsWith(e.slice(0, -1)) : image === e));
}

/**
 * The violations of one object for one library template, with Gatekeeper's
 * messages. null: the template is not one the emulator can evaluate.
 */
export function evaluate(kind: string, params: Json, reviewKind: string, obj: Obj): string[] | null {
  const out: string[] = [];
  const spec = obj.spec as Json;
  const containers = arr(spec.containers) as Json[];
  const sc = (c: Json) => (c.securityContext ?? {}) as Json;
  const name = (c: Json) => String(c.name);
  const isPod = reviewKind === "Pod";
  switch (kind) {
    case "K8sPSPPrivilegedContainer":
      for (const c of containers)
        if (isPod && sc(c).privileged === true && !exempt(String(c.image), strs(params.exemptImages)))
          out.push(
            `Privileged container is not allowed: ${name(c)}, securityContext: ${JSON.stringify(sc(c))}`,
          );
      return out;
    case "K8sPSPHostNamespace":
      if (isPod && (spec.hostPID === true || spec.hostIPC === true))
        out.push(`Sharing the host namespace is not allowed: ${obj.metadata.name}`);
      return out;
    case "K8sPSPHostNetworkingPorts": {
      if (!isPod) return out;
      if (spec.hostNetwork === true && params.hostNetwork !== true)
        out.push(`The specified hostNetwork and hostPort are not allowed, pod: ${obj.metadata.name}`);
      const min = Number(params.min ?? 0);
      const max = Number(params.max ?? 0);
      for (const c of containers)
        for (const p of arr(c.ports) as Json[])
          if (typeof p.hostPort === "number" && (p.hostPort < min || p.hostPort > max))
            out.push(`Host port ${p.hostPort} of ${name(c)} is outside ${min}-${max}`);
      return out;
    }
    case "K8sPSPHostFilesystem": {
      if (!isPod) return out;
      const allowed = arr(params.allowedHostPaths) as Json[];
      for (const v of arr(spec.volumes) as Json[]) {
        const path = get(v, "hostPath", "path");
        if (typeof path !== "string") continue;
        if (!allowed.some((a) => typeof a.pathPrefix === "string" && path.startsWith(a.pathPrefix)))
          out.push(`HostPath volume ${JSON.stringify(v)} is not allowed, pod: ${obj.metadata.name}`);
      }
      return out;
    }
    case "K8sPSPAllowPrivilegeEscalationContainer":
      for (const c of containers)
        if (
          isPod &&
          sc(c).allowPrivilegeEscalation !== false &&
          !exempt(String(c.image), strs(params.exemptImages))
        )
          out.push(`Privilege escalation container is not allowed: ${name(c)}`);
      return out;
    case "K8sPSPProcMount": {
      const want = String(params.procMount ?? "Default");
      for (const c of containers) {
        const m = String(sc(c).procMount ?? "Default");
        if (isPod && want !== "Unmasked" && m !== want)
          out.push(`ProcMount type is not allowed, container: ${name(c)}. Allowed procMount types: ${want}`);
      }
      return out;
    }
    case "K8sPSPCapabilities": {
      const allowed = strs(params.allowedCapabilities);
      const drop = strs(params.requiredDropCapabilities);
      for (const c of containers) {
        if (!isPod) break;
        const add = strs(get(sc(c), "capabilities", "add"));
        const dropped = strs(get(sc(c), "capabilities", "drop"));
        const bad = add.filter((x) => !allowed.includes("*") && !allowed.includes(x));
        if (bad.length)
          out.push(
            `container <${name(c)}> has a disallowed capability. Allowed capabilities are ${JSON.stringify(allowed)}`,
          );
        const missing = drop.filter((x) => !dropped.includes(x) && !dropped.includes("ALL"));
        if (missing.length)
          out.push(
            `container <${name(c)}> is not dropping all required capabilities. Container must drop all of ${JSON.stringify(drop)}`,
          );
      }
      return out;
    }
    case "K8sPSPAppArmor": {
      const allowed = strs(params.allowedProfiles);
      const ann = (get(obj.metadata, "annotations") ?? {}) as Json;
      for (const c of containers) {
        if (!isPod) break;
        const p = String(
          ann[`container.apparmor.security.beta.kubernetes.io/${name(c)}`] ?? "runtime/default",
        );
        if (!allowed.includes(p))
          out.push(
            `AppArmor profile ${p} is not allowed, container: ${name(c)}. Allowed profiles: ${JSON.stringify(allowed)}`,
          );
      }
      return out;
    }
    case "K8sPSPSELinuxV2": {
      const allowed = arr(params.allowedSELinuxOptions) as Json[];
      for (const c of containers) {
        if (!isPod) break;
        const o = (sc(c).seLinuxOptions ?? get(spec, "securityContext", "seLinuxOptions")) as
          Json | undefined;
        if (!o) continue;
        const ok = allowed.some((a) => Object.entries(o).every(([key, v]) => a[key] === v));
        if (!ok) out.push(`SELinux options are not allowed, container: ${name(c)}`);
      }
      return out;
    }
    case "K8sPSPSeccomp": {
      const allowed = strs(params.allowedProfiles);
      const podProfile = get(spec, "securityContext", "seccompProfile", "type");
      for (const c of containers) {
        if (!isPod) break;
        const p = String(get(sc(c), "seccompProfile", "type") ?? podProfile ?? "Unconfined");
        if (!allowed.includes(p) && !allowed.includes("*"))
          out.push(
            `Seccomp profile '${p}' is not allowed for container '${name(c)}'. Allowed profiles: ${JSON.stringify(allowed)}`,
          );
      }
      return out;
    }
    case "K8sPSPReadOnlyRootFilesystem":
      for (const c of containers)
        if (
          isPod &&
          sc(c).readOnlyRootFilesystem !== true &&
          !exempt(String(c.image), strs(params.exemptImages))
        )
          out.push(`only read-only root filesystem container is allowed: ${name(c)}`);
      return out;
    case "K8sAllowedRepos": {
      const repos = strs(params.repos);
      for (const c of containers)
        if (isPod && !repos.some((r) => String(c.image).startsWith(r)))
          out.push(
            `container <${name(c)}> has an invalid image repo <${String(c.image)}>, allowed repos are ${JSON.stringify(repos)}`,
          );
      return out;
    }
    case "K8sRequiredLabels": {
      const labels = (obj.metadata.labels ?? {}) as Record<string, string>;
      const want = arr(params.labels) as Json[];
      const missing = want.map((l) => String(l.key)).filter((key) => !(key in labels));
      if (missing.length)
        out.push(
          typeof params.message === "string" && params.message
            ? params.message
            : `you must provide labels: ${JSON.stringify(missing)}`,
        );
      for (const l of want) {
        const v = labels[String(l.key)];
        if (v !== undefined && typeof l.allowedRegex === "string") {
          let ok = false;
          try {
            ok = new RegExp(l.allowedRegex).test(v);
          } catch {
            ok = false;
          }
          if (!ok)
            out.push(`Label <${String(l.key)}: ${v}> does not satisfy allowed regex: ${l.allowedRegex}`);
        }
      }
      return out;
    }
    case "K8sBlockNodePort":
      if (reviewKind === "Service" && spec.type === "NodePort")
        out.push("User is not allowed to create service of type NodePort");
      return out;
    case "K8sContainerLimits": {
      const maxCpu = quantity(params.cpu);
      const maxMem = bytes(params.memory);
      for (const c of containers) {
        if (!isPod) break;
        const limits = (get(c, "resources", "limits") ?? {}) as Json;
        if (limits.cpu === undefined || limits.memory === undefined) {
          out.push(`container <${name(c)}> has no resource limits`);
          continue;
        }
        const cpu = quantity(limits.cpu);
        const mem = bytes(limits.memory);
        if (maxCpu !== null && cpu !== null && cpu > maxCpu)
          out.push(
            `container <${name(c)}> cpu limit <${String(limits.cpu)}> is higher than the maximum allowed of <${String(params.cpu)}>`,
          );
        if (maxMem !== null && mem !== null && mem > maxMem)
          out.push(
            `container <${name(c)}> memory limit <${String(limits.memory)}> is higher than the maximum allowed of <${String(params.memory)}>`,
          );
      }
      return out;
    }
    default:
      return null;
  }
}

const nsMatch = (patterns: string[], ns: string) =>
  patterns.some((p) => (p.endsWith("*") ? ns.startsWith(p.slice(0, -1)) : p === ns));

/** Whether a constraint's `match` selects an object. */
export function matches(match: unknown, reviewKind: string, obj: Obj): boolean {
  const m = (match ?? {}) as Json;
  const kinds = arr(m.kinds) as Json[];
  if (
    kinds.length > 0 &&
    !kinds.some((k) => {
      const groups = strs(k.apiGroups);
      const ks = strs(k.kinds);
      return (
        (groups.length === 0 || groups.includes("") || groups.includes("*")) &&
        (ks.includes(reviewKind) || ks.includes("*"))
      );
    })
  )
    return false;
  const ns = String(obj.metadata.namespace ?? "");
  const namespaces = strs(m.namespaces);
  if (namespaces.length > 0 && !nsMatch(namespaces, ns)) return false;
  if (nsMatch(strs(m.excludedNamespaces), ns)) return false;
  const want = (get(m, "labelSelector", "matchLabels") ?? {}) as Record<string, string>;
  const labels = (obj.metadata.labels ?? {}) as Record<string, string>;
  return Object.entries(want).every(([k, v]) => labels[k] === v);
}

/** Objects under audit: every pod and service, as the API shows them. */
function auditObjects(k: KubeClusterState): Array<{ kind: string; obj: Obj }> {
  return [
    ...k.pods.map((p) => ({ kind: "Pod", obj: podManifest(k, p) as Obj })),
    ...k.services.map((s) => ({ kind: "Service", obj: serviceManifest(s) as Obj })),
  ];
}

/** A constraint's status as Gatekeeper's audit writes it (live: the emulator audits on read). */
export function constraintStatus(
  engine: Engine,
  k: KubeClusterState,
  c: StoredObject,
  nodes: Map<string, NodeView>,
): Json {
  const byPod = [
    {
      id: "gatekeeper-audit",
      enforced: true,
      observedGeneration: c.metadata.generation,
      operations: ["audit", "status"],
    },
  ];
  if (!componentReady(engine, k, nodes, "audit")) return { byPod: [] };
  const spec = (c.spec ?? {}) as Json;
  const params = (spec.parameters ?? {}) as Json;
  const action = String(spec.enforcementAction ?? "deny");
  const violations: Json[] = [];
  let evaluable = true;
  for (const { kind, obj } of auditObjects(k)) {
    if (!matches(spec.match, kind, obj)) continue;
    const msgs = evaluate(c.kind, params, kind, obj);
    if (msgs === null) {
      evaluable = false;
      break;
    }
    for (const message of msgs)
      violations.push({
        enforcementAction: action,
        group: "",
        version: "v1",
        kind,
        namespace: obj.metadata.namespace,
        name: obj.metadata.name,
        message,
      });
  }
  if (!evaluable)
    return {
      byPod: [
        {
          ...byPod[0],
          errors: [
            { code: "emulator", message: "the emulated Gatekeeper has no Rego engine for custom templates" },
          ],
        },
      ],
    };
  return {
    auditTimestamp: new Date(Math.floor(engine.now() / 1000) * 1000).toISOString().replace(".000Z", "Z"),
    totalViolations: violations.length,
    violations: violations.slice(0, VIOLATIONS_LIMIT),
    byPod,
  };
}

/**
 * Admission: the messages of `deny` constraints a new pod violates, when
 * the webhook runs (a `warn` constraint admits with a warning).
 */
export function admissionDenials(
  engine: Engine,
  k: KubeClusterState,
  p: Pod,
  nodes: Map<string, NodeView>,
): string[] {
  if (!gatekeeperInstalled(k) || p.namespace === GATEKEEPER_NAMESPACE) return [];
  const hook = webhookSettings(k);
  if (hook.exempt.has(p.namespace) && namespaceIgnored(k, p.namespace)) return [];
  // The webhook is down: the API server applies its failurePolicy (Ignore admits, Fail refuses).
  if (!componentReady(engine, k, nodes, "controller-manager"))
    return hook.failurePolicy === "Fail"
      ? [
          `failed calling webhook "validation.gatekeeper.sh": failed to call webhook: Post "https://gatekeeper-webhook-service.gatekeeper-system.svc:443/v1/admit?timeout=3s": dial tcp: connect: connection refused`,
        ]
      : [];
  const obj = podManifest(k, p) as Obj;
  const out: string[] = [];
  for (const c of Object.values(k.constraints)) {
    const spec = (c.spec ?? {}) as Json;
    if ((spec.enforcementAction ?? "deny") !== "deny" || !matches(spec.match, "Pod", obj)) continue;
    for (const m of evaluate(c.kind, (spec.parameters ?? {}) as Json, "Pod", obj) ?? [])
      out.push(`[${c.metadata.name}] ${m}`);
  }
  return out;
}

/** The failure policy and exempt namespaces Gatekeeper's chart values set (the chart's defaults: Ignore, none). */
function webhookSettings(k: KubeClusterState): { failurePolicy: string; exempt: Set<string> } {
  for (const o of helmCharts(k)) {
    const spec = (o.spec ?? {}) as { repo?: string; chart?: string; valuesContent?: string };
    if (!isGatekeeperChart(spec.repo ?? "", spec.chart ?? "")) continue;
    try {
      const v = (parseYaml(spec.valuesContent ?? "") ?? {}) as {
        validatingWebhookFailurePolicy?: unknown;
        controllerManager?: { exemptNamespaces?: unknown };
      };
      const exempt = Array.isArray(v.controllerManager?.exemptNamespaces)
        ? v.controllerManager.exemptNamespaces.filter((x): x is string => typeof x === "string")
        : [];
      return {
        failurePolicy: v.validatingWebhookFailurePolicy === "Fail" ? "Fail" : "Ignore",
        exempt: new Set([GATEKEEPER_NAMESPACE, ...exempt]),
      };
    } catch {
      break;
    }
  }
  return { failurePolicy: "Ignore", exempt: new Set([GATEKEEPER_NAMESPACE]) };
}

/** A namespace carrying admission.gatekeeper.sh/ignore (honoured only for exempt namespaces). */
function namespaceIgnored(k: KubeClusterState, ns: string): boolean {
  const o = k.applied?.[appliedKey("v1", "Namespace", undefined, ns)];
  return o?.metadata.labels?.["admission.gatekeeper.sh/ignore"] !== undefined;
}

/** One FailedCreate event a minute per deployment whose pods admission refuses. */
export function recordDenied(engine: Engine, k: KubeClusterState, d: Deployment, messages: string[]): void {
  const key = `${d.namespace}/${d.name}`;
  const now = engine.now();
  if ((k.admissionDenied[key] ?? -Infinity) > now - 60_000) return;
  k.admissionDenied[key] = now;
  recordEvent(k, now, {
    namespace: d.namespace,
    kind: "ReplicaSet",
    name: `${d.name}-rs`,
    reason: "FailedCreate",
    message: messages[0]?.startsWith("failed calling webhook")
      ? `Error creating: Internal error occurred: ${messages[0]}`
      : `Error creating: admission webhook "validation.gatekeeper.sh" denied the request: ${messages.join("\n")}`,
    type: "Warning",
    component: "replicaset-controller",
  });
}

/**
 * RE2 for the schemas' patterns (a user's template must not stall the
 * process with a backtracking pattern), and an ajv instance per template
 * schema (no shared `$id` space, freed with the template).
 */
export const linearRegExp: RegExpEngine = Object.assign(
  (pattern: string) => RE2JS.compile(RE2JS.translateRegExp(pattern)),
  { code: "linearRegExp" },
);
const validators = new WeakMap<object, ValidateFunction>();

function validatorOf(schema: object): ValidateFunction {
  let v = validators.get(schema);
  if (!v) {
    v = new Ajv({ allErrors: true, strict: false, code: { regExp: linearRegExp } }).compile(schema);
    validators.set(schema, v);
  }
  return v;
}

/** The API server's structural check of a constraint's parameters against its template's schema. */
export function invalidParameters(template: StoredObject, parameters: unknown): string | null {
  const schema = get(template, "spec", "crd", "spec", "validation", "openAPIV3Schema");
  if (!schema || typeof schema !== "object") return null;
  try {
    const v = validatorOf(schema);
    if (v(parameters ?? {})) return null;
    return (v.errors ?? [])
      .map((e) => `spec.parameters${e.instancePath.replace(/\//g, ".")}: ${e.message ?? "invalid"}`)
      .join(", ");
  } catch (err) {
    return `the template's schema does not compile: ${err instanceof Error ? err.message : String(err)}`;
  }
}
