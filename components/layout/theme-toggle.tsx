"use client";

import { Monitor, Moon, Sun } from "lucide-react";
import { useTheme } from "next-themes";
import { useSyncExternalStore } from "react";
import {
  DropdownContent,
  DropdownLabel,
  DropdownRadioGroup,
  DropdownRadioItem,
  DropdownRoot,
  DropdownTrigger,
} from "@/components/ui/dropdown";
import { Button } from "@/components/ui/button";

const mounted = () => true;
const serverMounted = () => false;

export function ThemeToggle() {
  const { theme, resolvedTheme, setTheme } = useTheme();
  // The theme is only known in the browser; render a neutral icon until then.
  const isClient = useSyncExternalStore(() => () => undefined, mounted, serverMounted);
  const Icon = !isClient ? Monitor : resolvedTheme === "dark" ? Moon : Sun;
  return (
    <DropdownRoot>
      <DropdownTrigger asChild>
        <Button variant="ghost" size="icon" aria-label="Theme">
          <Icon className="size-4" />
        </Button>
      </DropdownTrigger>
      <DropdownContent align="end" className="min-w-40">
        <DropdownLabel>Theme</DropdownLabel>
        <DropdownRadioGroup value={theme ?? "system"} onValueChange={setTheme}>
          <DropdownRadioItem value="system">System</DropdownRadioItem>
          <DropdownRadioItem value="light">Light</DropdownRadioItem>
          <DropdownRadioItem value="dark">Dark</DropdownRadioItem>
        </DropdownRadioGroup>
      </DropdownContent>
    </DropdownRoot>
  );
}
