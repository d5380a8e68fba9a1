"use client";

import { Button } from "@/components/ui/button";

export default function ErrorPage({
  error,
  reset,
}: {
  error: Error & { digest?: string };
  reset: () => void;
}) {
  return (
    <main className="flex min-h-[60vh] flex-col items-center justify-center gap-4 px-6 text-center">
      <h1 className="text-xl font-semibold text-fg">Something went wrong</h1>
      <p className="max-w-md text-sm text-muted">
        The page could not be shown. Try again; if it keeps happening, give support this reference:{" "}
        <code className="font-mono text-fg">{error.digest ?? "n/a"}</code>
      </p>
      <Button onClick={reset}>Try again</Button>
    </main>
  );
}
