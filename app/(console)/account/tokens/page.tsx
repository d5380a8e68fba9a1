import type { Metadata } from "next";
import { PageHeader } from "@/components/layout/app-shell";
import { PersonalTokens } from "@/components/tokens/personal-tokens";

export const metadata: Metadata = { title: "API tokens" };

export default function TokensPage() {
  return (
    <>
      <PageHeader
        title="API tokens"
        description="Personal access tokens let scripts, CI pipelines and tools call the console's REST API as you."
      />
      <PersonalTokens />
    </>
  );
}
