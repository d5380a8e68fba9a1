/**
 * `npx tsx scripts/complete-lockfile.ts` after changing dependencies.
 *
 * The npm registry reachable from this project's machines serves only the
 * platform binaries for Linux, so `npm install` cannot record the other
 * platforms' optional packages (darwin, win32, …) in package-lock.json, and
 * `npm ci` then rejects the lock as out of sync. This adds the missing
 * entries, with `os`/`cpu`/`libc` read from the package name, so npm skips
 * them on this platform without fetching, and a lock made here still works
 * everywhere.
 */
import { readFileSync, writeFileSync } from "node:fs";

type Entry = {
  version?: string;
  dev?: boolean;
  devOptional?: boolean;
  optional?: boolean;
  optionalDependencies?: Record<string, string>;
  os?: string[];
  cpu?: string[];
  libc?: string[];
};

const OS = [
  "darwin",
  "win32",
  "linux",
  "android",
  "freebsd",
  "openharmony",
  "netbsd",
  "openbsd",
  "sunos",
  "aix",
];
const CPU: Array<[RegExp, string]> = [
  [/-(arm64|aarch64)(-|$)/, "arm64"],
  [/-x64(-|$)/, "x64"],
  [/-ia32(-|$)/, "ia32"],
  [/-arm(-|$)/, "arm"],
  [/-loong64(-|$)/, "loong64"],
  [/-ppc64(le)?(-|$)/, "ppc64"],
  [/-riscv64(-|$)/, "riscv64"],
  [/-s390x(-|$)/, "s390x"],
  [/-wasm32(-|$)/, "wasm32"],
];

function platformOf(name: string): Pick<Entry, "os" | "cpu" | "libc"> | null {
  const base = name.split("/").pop() ?? name;
  const os = OS.find((o) => new RegExp(`-${o}(-|$)`).test(base));
  const cpu = CPU.find(([re]) => re.test(base))?.[1];
  if (!os && !cpu) return null;
  const libc =
    os === "linux" ? (/-musl/.test(base) ? ["musl"] : /-gnu/.test(base) ? ["glibc"] : undefined) : undefined;
  return { ...(os ? { os: [os] } : {}), ...(cpu ? { cpu: [cpu] } : {}), ...(libc ? { libc } : {}) };
}

const path = "package-lock.json";
const lock = JSON.parse(readFileSync(path, "utf8")) as { packages: Record<string, Entry> };
let added = 0;
for (const [key, entry] of Object.entries(lock.packages)) {
  for (const [dep, spec] of Object.entries(entry.optionalDependencies ?? {})) {
    const nested = `${key}/node_modules/${dep}`;
    const top = `node_modules/${dep}`;
    if (lock.packages[nested] || lock.packages[top]) continue;
    const platform = platformOf(dep);
    const version = spec.replace(/^[\^~=]/, "");
    if (!platform || !/^\d+\.\d+\.\d+/.test(version)) continue;
    lock.packages[top] = {
      version,
      ...(entry.dev ? { dev: true } : {}),
      ...(entry.devOptional ? { devOptional: true } : {}),
      optional: true,
      ...platform,
    };
    added++;
  }
}
const sorted = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a.localeCompare(b))),
);
lock.packages = sorted;
writeFileSync(path, JSON.stringify(lock, null, 2) + "\n");
console.log(`complete-lockfile: added ${added} platform entr${added === 1 ? "y" : "ies"}`);
