import type { Metadata } from "next";
import { ApiReference } from "@/components/api-reference/api-reference";

export const metadata: Metadata = { title: "API reference" };

/** The REST API's reference, rendered in the browser from /api/v1/openapi.json. */
export default function ApiReferencePage() {
  return <ApiReference />;
}
