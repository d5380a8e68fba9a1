import "server-only";
import { headers } from "next/headers";
import { cache } from "react";
import { createRequestContext } from "@/server/runtime/request-context";
import { createCaller } from "@/server/api/root";

/**
 * A tRPC caller for server components and layouts: the same procedures,
 * role checks and audit as over HTTP. The only place UI code value-imports
 * server/.
 */
export const serverCaller = cache(async () => createCaller(await createRequestContext(await headers())));
