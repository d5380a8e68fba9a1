import { authRoute } from "@/server/auth/route";

export const dynamic = "force-dynamic";
export { authRoute as GET, authRoute as POST };
