import type { Db } from "@/db/client";

/** Who is acting and from where; carried into every audit row. */
export interface RequestMeta {
  requestId: string;
  clientIp: string | null;
}

export interface Actor {
  userId: string;
  email: string;
}

export interface ServiceContext extends RequestMeta {
  db: Db;
  actor: Actor;
  /** CONSOLE_ENCRYPTION_KEY (base64, 32 bytes) */
  encryptionKey: string;
}
