import type { ReactNode } from "react";
import { PersonalShell } from "@/components/layout/personal-shell";

export default function AccountLayout({ children }: { children: ReactNode }) {
  return <PersonalShell>{children}</PersonalShell>;
}
