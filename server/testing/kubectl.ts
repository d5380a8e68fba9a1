import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
/** The preinstalled kubectl (v1.32). */
export const KUBECTL = "/usr/bin/kubectl";

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Real kubectl with a kubeconfig file, its discovery cache under `dir`; never throws, answers its exit code. */
export function kubectlIn(dir: string) {
  return async (kubeconfig: string, ...args: string[]): Promise<KubectlResult> => {
    try {
      const r = await run(KUBECTL, [
        "--kubeconfig",
        kubeconfig,
        "--cache-dir",
        path.join(dir, "cache"),
        "--request-timeout=10s",
        ...args,
      ]);
      return { code: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (err) {
      const e = err as { code?: number; stdout?: string; stderr?: string };
      return { code: e.code ?? 1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
    }
  };
}
