import { z } from "zod";

/**
 * The built-in emulator's admin API (`/_emulator/…`, behind its admin key):
 * what only the emulated cloud offers, such as a project of its own for each
 * console project and the demo's load and failure controls.
 */
export interface EmulatorEndpoint {
  /** Base URL of the built-in emulator, e.g. http://127.0.0.1:8780 */
  url: string;
  adminKey: string;
}

/** The emulator refused an admin call: its HTTP status and its message. */
export class EmulatorAdminError extends Error {
  override name = "EmulatorAdminError";
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const Fault = z.object({
  error: z.object({ message: z.string() }).optional(),
  message: z.string().optional(),
});
const Provisioned = z.object({
  project: z.object({ id: z.string() }),
  application_credential: z.object({ id: z.string(), secret: z.string() }),
});
export type ProvisionedProject = z.infer<typeof Provisioned>;

export function emulatorAdmin(endpoint: EmulatorEndpoint) {
  const send = (method: string, path: string, body?: unknown, timeoutMs?: number) =>
    fetch(`${endpoint.url}/_emulator${path}`, {
      method,
      headers: {
        "x-emulator-admin-key": endpoint.adminKey,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs),
    });
  return {
    /** Any admin call as it came back: the status and the parsed JSON body (tests look at refusals too). */
    async raw(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
      const res = await send(method, path, body);
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
    },
    /** A new emulator project with an application credential for it. */
    async createProject(name: string): Promise<ProvisionedProject> {
      const res = await send("POST", "/projects", { name });
      if (res.status !== 201)
        throw new Error(`The built-in emulator refused to create a project (HTTP ${res.status})`);
      return Provisioned.parse(await res.json());
    },
    /** Any admin call (5 s at most): its JSON body, or EmulatorAdminError with the emulator's message. */
    async call(method: string, path: string, body?: unknown): Promise<unknown> {
      const res = await send(method, path, body, 5_000);
      const text = await res.text();
      const json: unknown = text ? JSON.parse(text) : null;
      if (res.ok) return json;
      const f = Fault.safeParse(json);
      const message = (f.success ? (f.data.error?.message ?? f.data.message) : null) ?? `HTTP ${res.status}`;
      throw new EmulatorAdminError(res.status, message);
    },
  };
}
