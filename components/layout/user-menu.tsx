"use client";

import { BookOpen, KeyRound, LogOut } from "lucide-react";
import { signOut } from "next-auth/react";
import { useRouter } from "next/navigation";
import {
  DropdownContent,
  DropdownItem,
  DropdownRoot,
  DropdownSeparator,
  DropdownTrigger,
} from "@/components/ui/dropdown";

export function UserMenu({ email, name }: { email: string; name: string }) {
  const router = useRouter();
  const initials = name
    .split(/\s+/)
    .map((p) => p[0] ?? "")
    .join("")
    .slice(0, 2)
    .toUpperCase();
  return (
    <DropdownRoot>
      <DropdownTrigger
        aria-label="Account"
        className="flex size-9 items-center justify-center rounded-full outline-none focus-visible:ring-2 focus-visible:ring-ring"
      >
        <span className="flex size-8 items-center justify-center rounded-full bg-primary/15 text-xs font-semibold text-primary">
          {initials || "?"}
        </span>
      </DropdownTrigger>
      <DropdownContent align="end">
        <div className="px-2.5 py-2">
          <div className="text-sm font-medium text-fg">{name}</div>
          <div className="truncate text-xs text-muted">{email}</div>
        </div>
        <DropdownSeparator />
        <DropdownItem onSelect={() => router.push("/account/tokens")}>
          <KeyRound className="size-4 text-muted" aria-hidden /> API tokens
        </DropdownItem>
        <DropdownItem onSelect={() => router.push("/api-reference")}>
          <BookOpen className="size-4 text-muted" aria-hidden /> API reference
        </DropdownItem>
        <DropdownSeparator />
        <DropdownItem onSelect={() => void signOut({ callbackUrl: "/sign-in" })}>
          <LogOut className="size-4 text-muted" aria-hidden /> Sign out
        </DropdownItem>
      </DropdownContent>
    </DropdownRoot>
  );
}
