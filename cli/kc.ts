/**
 * `kc`: the console's command-line client. Its HTTP calls go through
 * openapi-fetch typed by cli/api-types.ts, which openapi-typescript generates
 * from the REST API's OpenAPI document (`npm run api:types`): no request is
 * written by hand.
 *
 * Exit codes: 0 done · 1 refused by the API, or the operation failed ·
 * 2 bad usage or input · 3 timed out waiting · 4 not signed in (no token, or
 * the API refused it).
 */
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import createClient from "openapi-fetch";
import { parse as parseYaml, stringify as toYaml } from "yaml";
import type { components, paths } from "./api-types";

type Cluster = components["schemas"]["Cluster"];
type Operation = components["schemas"]["Operation"];
type ApiError = components["schemas"]["Error"];

export const EXIT = { ok: 0, failed: 1, usage: 2, timeout: 3, auth: 4 } as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

// ── configuration ─────────────────────────────────────────────────────────────

interface Config {
  url?: string;
  token?: string;
  project?: string;
}

export interface Io {
  env: Record<string, string | undefined>;
  out: (s: string) => void;
  err: (s: string) => void;
  /** stderr is a terminal: progress redraws one line. */
  tty: boolean;
  readStdin: () => string;
}

function configPath(env: Io["env"]): string {
  if (env.KC_CONFIG) return env.KC_CONFIG;
  const base = env.XDG_CONFIG_HOME || path.join(env.HOME || os.homedir(), ".config");
  return path.join(base, "kc", "config.json");
}

function readConfig(env: Io["env"]): Config {
  const file = configPath(env);
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Config;
  } catch {
    throw new CliError(`${file} is not valid JSON; run kc login again`, EXIT.usage);
  }
}

/** The token is a secret: the directory is 0700 and the file 0600, whatever the umask. */
function writeConfig(env: Io["env"], c: Config): string {
  const file = configPath(env);
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify(c, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return file;
}

// ── the API ───────────────────────────────────────────────────────────────────

function client(url: string, token: string) {
  return createClient<paths>({
    baseUrl: `${url.replace(/\/+$/, "")}/api/v1`,
    headers: { Authorization: `Bearer ${token}`, "User-Agent": "kc/1" },
  });
}
type Client = ReturnType<typeof client>;

/** The API's answer, or a CliError with its message, field errors and the exit code its status calls for. */
async function ok<T>(p: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let r: { data?: T; error?: unknown; response: Response };
  try {
    r = await p;
  } catch (e) {
    throw new CliError(
      `Cannot reach the console: ${e instanceof Error ? e.message : String(e)}`,
      EXIT.failed,
    );
  }
  if (r.data !== undefined && r.response.ok) return r.data;
  const body = r.error as Partial<ApiError> | undefined;
  const e = body?.error;
  const fields = e?.fieldErrors
    ? Object.entries(e.fieldErrors)
        .map(([k, v]) => `\n  ${k}: ${v.join("; ")}`)
        .join("")
    : "";
  const status = r.response.status;
  const message = `${e?.message ?? `HTTP ${status}`}${fields}${e?.requestId ? `\n  (request ${e.requestId})` : ""}`;
  throw new CliError(
    message,
    status === 401
      ? EXIT.auth
      : status === 400 || status === 422 || status === 428
        ? EXIT.usage
        : EXIT.failed,
  );
}

interface Session {
  api: Client;
  url: string;
  project: string | undefined;
}

function session(io: Io, flags: { url?: string; token?: string; project?: string }): Session {
  const c = readConfig(io.env);
  const url = flags.url ?? io.env.KC_URL ?? c.url;
  const token = flags.token ?? io.env.KC_TOKEN ?? c.token;
  if (!url || !token)
    throw new CliError(
      "Not signed in: run kc login --url <console URL> (or set KC_URL and KC_TOKEN)",
      EXIT.auth,
    );
  return { api: client(url, token), url, project: flags.project ?? io.env.KC_PROJECT ?? c.project };
}

async function projectId(s: Session): Promise<string> {
  const projects = (await ok(s.api.GET("/projects"))).items;
  if (s.project) {
    const p = projects.find((x) => x.id === s.project || x.name === s.project);
    if (!p) throw new CliError(`This token reaches no project ${s.project}`, EXIT.failed);
    return p.id;
  }
  if (projects.length === 1) return projects[0]!.id;
  throw new CliError(
    `Choose a project with -p: ${projects.map((p) => `${p.name} (${p.id})`).join(", ") || "the token reaches none"}`,
    EXIT.usage,
  );
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A cluster by name (or id) in the project, or null. */
async function findCluster(s: Session, project: string, name: string): Promise<Cluster | null> {
  if (UUID.test(name)) {
    const r = await s.api.GET("/projects/{projectId}/clusters/{clusterId}", {
      params: { path: { projectId: project, clusterId: name } },
    });
    if (r.response.status === 404) return null;
    return ok(Promise.resolve(r));
  }
  const page = await ok(
    s.api.GET("/projects/{projectId}/clusters", {
      params: { path: { projectId: project }, query: { search: name, limit: 200 } },
    }),
  );
  return page.items.find((c) => c.name === name) ?? null;
}

async function mustFind(s: Session, project: string, name: string): Promise<Cluster> {
  const c = await findCluster(s, project, name);
  if (!c) throw new CliError(`No cluster ${name} in this project`, EXIT.failed);
  return c;
}

// ── waiting ───────────────────────────────────────────────────────────────────

function durationMs(text: string): number {
  const m = /^(\d+)(s|m|h)$/.exec(text);
  if (!m) throw new CliError(`--timeout takes a duration such as 90s, 30m or 2h, not ${text}`, EXIT.usage);
  return Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[m[2] as "s" | "m" | "h"];
}

function bar(op: Operation): string {
  const total = Math.max(op.stepsTotal, 1);
  const done = Math.min(op.stepsDone, total);
  const width = 24;
  const filled = Math.round((done / total) * width);
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${op.stepsTotal} ${op.kind}: ${op.currentStep ?? op.status}`;
}

/** Follows an operation until it ends (long-polling the API), drawing its progress; fails on failure or deadline. */
async function waitFor(
  s: Session,
  project: string,
  op: Operation,
  timeoutMs: number,
  io: Io,
): Promise<Operation> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  let cur = op;
  for (;;) {
    const line = bar(cur);
    if (line !== last) {
      if (io.tty) io.err(`\r\x1b[2K${line}`);
      else io.err(`${line}\n`);
      last = line;
    }
    if (cur.status === "succeeded" || cur.status === "superseded") break;
    if (cur.status === "failed") {
      if (io.tty) io.err("\n");
      throw new CliError(`${cur.kind} failed: ${cur.error ?? "no reason given"}`, EXIT.failed);
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      if (io.tty) io.err("\n");
      throw new CliError(
        `Timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${cur.kind} (${cur.stepsDone}/${cur.stepsTotal}: ${cur.currentStep ?? cur.status}); it goes on in the console`,
        EXIT.timeout,
      );
    }
    cur = await ok(
      s.api.GET("/projects/{projectId}/clusters/{clusterId}/operations/{operationId}", {
        params: {
          path: { projectId: project, clusterId: cur.clusterId, operationId: cur.id },
          query: { wait: Math.max(1, Math.min(30, Math.floor(left / 1000))) },
        },
      }),
    );
  }
  if (io.tty) io.err("\n");
  return cur;
}

// ── output ────────────────────────────────────────────────────────────────────

type Format = "table" | "json" | "yaml";

function print(io: Io, format: Format, value: unknown, table: () => string[][]): void {
  if (format === "json") return io.out(`${JSON.stringify(value, null, 2)}\n`);
  if (format === "yaml") return io.out(toYaml(value));
  const rows = table();
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  io.out(
    rows
      .map((r) =>
        r
          .map((c, i) => c.padEnd(widths[i]!))
          .join("  ")
          .trimEnd(),
      )
      .join("\n") + "\n",
  );
}

const clusterRow = (c: Cluster) => [
  c.name,
  c.phase,
  c.spec.version,
  c.spec.nodeGroups
    .map(
      (g) => `${g.name}:${g.scaling.mode === "fixed" ? g.scaling.size : `${g.scaling.min}-${g.scaling.max}`}`,
    )
    .join(","),
  `${c.cost.perMonth.toFixed(2)} ${c.cost.currency}/mo`,
  c.id,
];
const CLUSTER_HEAD = ["NAME", "PHASE", "VERSION", "NODE GROUPS", "COST", "ID"];

// ── apply: the wizard's YAML, kept in Git ─────────────────────────────────────

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const isObj = (v: unknown): v is Record<string, Json> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * What the cluster should be: the current spec with the file laid over it.
 * Keys the file leaves out keep their current (defaulted) values; lists of
 * named items (node groups) are the file's list, each item merged with the
 * current item of the same name.
 */
export function overlay(current: Json, file: Json): Json {
  if (isObj(current) && isObj(file)) {
    const out: Record<string, Json> = { ...current };
    for (const [k, v] of Object.entries(file)) out[k] = k in current ? overlay(current[k]!, v) : v;
    return out;
  }
  if (Array.isArray(current) && Array.isArray(file)) {
    return file.map((item) => {
      const name = isObj(item) ? item.name : undefined;
      const match = typeof name === "string" ? current.find((c) => isObj(c) && c.name === name) : undefined;
      return match === undefined ? item : overlay(match, item);
    });
  }
  return file;
}

/** Stable JSON: keys sorted, so equal specs compare equal. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (isObj(v))
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(",")}}`;
  return JSON.stringify(v);
}

/** A unified-style line diff (LCS), enough for a spec of a few hundred lines. */
export function diffLines(a: string, b: string): string {
  const x = a.split("\n");
  const y = b.split("\n");
  const n = x.length;
  const m = y.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[i]![j] = x[i] === y[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && x[i] === y[j]) {
      out.push(`  ${x[i]}`);
      i++;
      j++;
    } else if (i < n && (j >= m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) out.push(`- ${x[i++]}`);
    else out.push(`+ ${y[j++]}`);
  }
  // Only the changed lines and two lines of context around them.
  const keep = new Set<number>();
  out.forEach((l, k) => {
    if (!l.startsWith("  ")) for (let d = -2; d <= 2; d++) keep.add(k + d);
  });
  const shown: string[] = [];
  out.forEach((l, k) => {
    if (keep.has(k)) shown.push(l);
    else if (keep.has(k - 1) || (k === 0 && keep.size > 0)) shown.push("  …");
  });
  return keep.size === 0 ? "" : shown.join("\n");
}

async function apply(
  io: Io,
  s: Session,
  file: string,
  opts: { wait: boolean; timeoutMs: number; dryRun: boolean; format: Format },
) {
  let text: string;
  try {
    text = file === "-" ? io.readStdin() : readFileSync(file, "utf8");
  } catch (e) {
    throw new CliError(`Cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`, EXIT.usage);
  }
  let spec: Json;
  try {
    spec = parseYaml(text, { maxAliasCount: 100 }) as Json;
  } catch (e) {
    throw new CliError(
      `${file} is not valid YAML: ${e instanceof Error ? e.message : String(e)}`,
      EXIT.usage,
    );
  }
  if (!isObj(spec) || typeof spec.name !== "string")
    throw new CliError(`${file} must be a cluster spec (the wizard's YAML) with a name`, EXIT.usage);
  const project = await projectId(s);
  const existing = await findCluster(s, project, spec.name);
  let result: components["schemas"]["Accepted"];
  if (!existing) {
    io.err(`cluster ${spec.name}: absent, creating\n`);
    if (opts.dryRun) return EXIT.ok;
    const key = `kc-apply-${createHash("sha256").update(`${project}\n${text}`).digest("hex").slice(0, 40)}`;
    result = await ok(
      s.api.POST("/projects/{projectId}/clusters", {
        params: { path: { projectId: project }, header: { "Idempotency-Key": key } },
        body: { spec: spec as components["schemas"]["Cluster"]["spec"] },
      }),
    );
  } else {
    const desired = overlay(existing.spec as unknown as Json, spec);
    if (canonical(desired) === canonical(existing.spec)) {
      io.err(`cluster ${spec.name}: unchanged (generation ${existing.generation})\n`);
      print(io, opts.format, existing, () => [CLUSTER_HEAD, clusterRow(existing)]);
      return EXIT.ok;
    }
    io.err(`cluster ${spec.name}: changes\n${diffLines(toYaml(existing.spec), toYaml(desired))}\n`);
    if (opts.dryRun) return EXIT.ok;
    result = await ok(
      s.api.PUT("/projects/{projectId}/clusters/{clusterId}", {
        params: {
          path: { projectId: project, clusterId: existing.id },
          header: { "If-Match": `"${existing.generation}"` },
        },
        body: { spec: desired as components["schemas"]["Cluster"]["spec"] },
      }),
    );
  }
  let cluster = result.cluster;
  if (opts.wait && result.operation) {
    await waitFor(s, project, result.operation, opts.timeoutMs, io);
    cluster = await mustFind(s, project, cluster.id);
  }
  print(io, opts.format, cluster, () => [CLUSTER_HEAD, clusterRow(cluster)]);
  return EXIT.ok;
}

// ── kubeconfig ────────────────────────────────────────────────────────────────

interface KubeconfigFile {
  apiVersion?: string;
  kind?: string;
  clusters?: Array<{ name: string }>;
  users?: Array<{ name: string }>;
  contexts?: Array<{ name: string }>;
  "current-context"?: string;
  [k: string]: unknown;
}

/** Adds or replaces the new file's clusters, users and contexts by name, as `kubectl config` does; keeps the rest. */
export function mergeKubeconfig(base: KubeconfigFile, add: KubeconfigFile, use: boolean): KubeconfigFile {
  const merged: KubeconfigFile = { apiVersion: "v1", kind: "Config", ...base };
  for (const key of ["clusters", "users", "contexts"] as const) {
    const incoming = add[key] ?? [];
    const names = new Set(incoming.map((e) => e.name));
    merged[key] = [...(base[key] ?? []).filter((e) => !names.has(e.name)), ...incoming];
  }
  if (use || !merged["current-context"]) merged["current-context"] = add["current-context"];
  return merged;
}

// ── commands ──────────────────────────────────────────────────────────────────

const HELP = `kc — the Kubernetes console from the command line

  kc login --url URL [--token TOKEN] [-p PROJECT]   store a token (read from stdin when not given)
  kc logout
  kc projects                                       the projects the token reaches
  kc clusters [list]                                clusters of the project
  kc clusters get NAME
  kc apply -f FILE [--wait] [--timeout 30m] [--dry-run]
                                                    create the cluster FILE describes (the wizard's YAML),
                                                    or change it to match; prints the diff first
  kc delete NAME --yes [--keep-volumes] [--wait]
  kc stop NAME [--wait] · kc start NAME [--wait]
  kc upgrade NAME --to VERSION [--ack ID,...] [--wait]
  kc kubeconfig NAME [--validity 24h] [--out FILE | --merge [--use] [--kubeconfig FILE]]

  Global: -p/--project NAME|ID, -o/--output table|json|yaml, --url, --token
          (or KC_URL, KC_TOKEN, KC_PROJECT; the config file is KC_CONFIG or ~/.config/kc/config.json)
  Exit codes: 0 done, 1 refused or failed, 2 bad usage or input, 3 timed out, 4 not signed in
`;

export async function run(argv: string[], io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        url: { type: "string" },
        token: { type: "string" },
        project: { type: "string", short: "p" },
        output: { type: "string", short: "o", default: "table" },
        file: { type: "string", short: "f" },
        wait: { type: "boolean", default: false },
        timeout: { type: "string", default: "30m" },
        "dry-run": { type: "boolean", default: false },
        yes: { type: "boolean", short: "y", default: false },
        "keep-volumes": { type: "boolean", default: false },
        validity: { type: "string", default: "24h" },
        out: { type: "string" },
        merge: { type: "boolean", default: false },
        use: { type: "boolean", default: false },
        kubeconfig: { type: "string" },
        to: { type: "string" },
        ack: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (e) {
    throw new CliError(`${e instanceof Error ? e.message : String(e)}\n\n${HELP}`, EXIT.usage);
  }
  const { values: v, positionals } = parsed;
  const [cmd, ...rest] = positionals;
  if (v.help || !cmd) {
    io.out(HELP);
    return v.help ? EXIT.ok : EXIT.usage;
  }
  const format = v.output as Format;
  if (!["table", "json", "yaml"].includes(format))
    throw new CliError("-o takes table, json or yaml", EXIT.usage);
  const timeoutMs = durationMs(v.timeout);
  const flags = { url: v.url, token: v.token, project: v.project };
  const name = (what = "a cluster name") => {
    const n = cmd === "clusters" ? rest[1] : rest[0];
    if (!n) throw new CliError(`Give ${what}: kc ${cmd} NAME`, EXIT.usage);
    return n;
  };

  switch (cmd) {
    case "login": {
      const url = v.url ?? io.env.KC_URL;
      if (!url) throw new CliError("kc login --url <console URL>", EXIT.usage);
      const token = (v.token ?? io.env.KC_TOKEN ?? io.readStdin()).trim();
      const api = client(url, token);
      const projects = (await ok(api.GET("/projects"))).items;
      const file = writeConfig(io.env, { url, token, project: v.project });
      io.err(`Signed in to ${url} with ${token.slice(0, 12)}…; config in ${file} (0600)\n`);
      print(io, format, projects, () => [
        ["PROJECT", "ROLE", "ID"],
        ...projects.map((p) => [p.name, p.role, p.id]),
      ]);
      return EXIT.ok;
    }
    case "logout": {
      const c = readConfig(io.env);
      writeConfig(io.env, { url: c.url, project: c.project });
      io.err("Token removed from the config (revoke it in the console if it leaked)\n");
      return EXIT.ok;
    }
    case "projects": {
      const s = session(io, flags);
      const projects = (await ok(s.api.GET("/projects"))).items;
      print(io, format, projects, () => [
        ["PROJECT", "ROLE", "ID"],
        ...projects.map((p) => [p.name, p.role, p.id]),
      ]);
      return EXIT.ok;
    }
    case "clusters": {
      const s = session(io, flags);
      const project = await projectId(s);
      if ((rest[0] ?? "list") === "list") {
        const items: Cluster[] = [];
        let cursor: string | undefined;
        do {
          const page = await ok(
            s.api.GET("/projects/{projectId}/clusters", {
              params: { path: { projectId: project }, query: { cursor, limit: 200 } },
            }),
          );
          items.push(...page.items);
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        print(io, format, items, () => [CLUSTER_HEAD, ...items.map(clusterRow)]);
        return EXIT.ok;
      }
      if (rest[0] === "get") {
        const c = await mustFind(s, project, name());
        print(io, format, c, () => [CLUSTER_HEAD, clusterRow(c)]);
        return EXIT.ok;
      }
      throw new CliError(`kc clusters list | get NAME (not ${rest[0]})`, EXIT.usage);
    }
    case "apply": {
      if (!v.file) throw new CliError("kc apply -f cluster.yaml", EXIT.usage);
      return apply(io, session(io, flags), v.file, { wait: v.wait, timeoutMs, dryRun: v["dry-run"], format });
    }
    case "delete": {
      const s = session(io, flags);
      const project = await projectId(s);
      const c = await mustFind(s, project, name());
      if (!v.yes)
        throw new CliError(`Deleting ${c.name} removes it and its cloud resources: add --yes`, EXIT.usage);
      const r = await ok(
        s.api.DELETE("/projects/{projectId}/clusters/{clusterId}", {
          params: {
            path: { projectId: project, clusterId: c.id },
            query: { confirmName: c.name, keepVolumes: v["keep-volumes"] ? "true" : "false" },
          },
        }),
      );
      io.err(`cluster ${c.name}: deleting${v["keep-volumes"] ? " (claim volumes kept)" : ""}\n`);
      if (v.wait && r.operation) await waitFor(s, project, r.operation, timeoutMs, io);
      return EXIT.ok;
    }
    case "stop":
    case "start": {
      const s = session(io, flags);
      const project = await projectId(s);
      const c = await mustFind(s, project, name());
      const p = { params: { path: { projectId: project, clusterId: c.id } } };
      const r = await ok(
        cmd === "stop"
          ? s.api.POST("/projects/{projectId}/clusters/{clusterId}/stop", p)
          : s.api.POST("/projects/{projectId}/clusters/{clusterId}/start", p),
      );
      io.err(`cluster ${c.name}: ${cmd === "stop" ? "stopping" : "starting"}\n`);
      if (v.wait && r.operation) await waitFor(s, project, r.operation, timeoutMs, io);
      return EXIT.ok;
    }
    case "upgrade": {
      if (!v.to) throw new CliError("kc upgrade NAME --to 1.x.y", EXIT.usage);
      const s = session(io, flags);
      const project = await projectId(s);
      const c = await mustFind(s, project, name());
      const r = await ok(
        s.api.POST("/projects/{projectId}/clusters/{clusterId}/upgrade", {
          params: {
            path: { projectId: project, clusterId: c.id },
            header: { "If-Match": `"${c.generation}"` },
          },
          body: { target: v.to, acknowledged: v.ack ? v.ack.split(",") : [] },
        }),
      );
      io.err(`cluster ${c.name}: upgrading to ${v.to}\n`);
      if (v.wait && r.operation) await waitFor(s, project, r.operation, timeoutMs, io);
      return EXIT.ok;
    }
    case "kubeconfig": {
      const s = session(io, flags);
      const project = await projectId(s);
      const c = await mustFind(s, project, name());
      const kc = await ok(
        s.api.POST("/projects/{projectId}/clusters/{clusterId}/kubeconfig", {
          params: { path: { projectId: project, clusterId: c.id } },
          body: { validity: v.validity as "8h" | "24h" | "7d" | "30d" | "365d" },
        }),
      );
      const expires = kc.expiresAt ? ` (valid until ${kc.expiresAt})` : "";
      const write = (file: string, content: string) => {
        try {
          mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
          writeFileSync(file, content, { mode: 0o600 });
          chmodSync(file, 0o600);
        } catch (e) {
          throw new CliError(
            `Cannot write ${file}: ${e instanceof Error ? e.message : String(e)}`,
            EXIT.failed,
          );
        }
      };
      if (v.merge) {
        const target =
          v.kubeconfig ||
          io.env.KUBECONFIG?.split(path.delimiter).find(Boolean) ||
          path.join(io.env.HOME || os.homedir(), ".kube", "config");
        let base: KubeconfigFile = {};
        if (existsSync(target)) {
          try {
            base = (parseYaml(readFileSync(target, "utf8")) as KubeconfigFile | null) ?? {};
          } catch (e) {
            throw new CliError(
              `${target} is not a kubeconfig kc can merge into: ${e instanceof Error ? e.message : String(e)}`,
              EXIT.failed,
            );
          }
        }
        const merged = mergeKubeconfig(base, parseYaml(kc.content) as KubeconfigFile, v.use);
        write(target, toYaml(merged));
        io.err(`Merged ${c.name} into ${target}${expires}; current context: ${merged["current-context"]}\n`);
      } else if (v.out) {
        write(v.out, kc.content);
        io.err(`Wrote ${v.out}${expires}\n`);
      } else io.out(kc.content);
      return EXIT.ok;
    }
    default:
      throw new CliError(`Unknown command ${cmd}\n\n${HELP}`, EXIT.usage);
  }
}
