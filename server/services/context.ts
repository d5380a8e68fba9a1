import type { Db } from "@/db/client";
import type { ProjectAccess } from "./project/access";

/** Who is acting and from where; carried into every audit row. */
export interface RequestMeta {
  requestId: string;
  clientIp: string | null;
}

export interface Actor {
  userId: string;
  email: string;
  /** Set when the caller is an API token: audit rows name it. */
  token?: { id: string; prefix: string };
}

export interface ServiceContext extends RequestMeta {
  db: Db;
  actor: Actor;
  /** CONSOLE_ENCRYPTION_KEY (base64, 32 bytes) */
  encryptionKey: string;
}

/** What a project-scoped service verb receives: the caller, the project it was authorized for, its input. */
export interface ProjectCall<I> {
  ctx: ServiceContext;
  project: ProjectAccess;
  input: I;
}
