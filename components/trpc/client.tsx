"use client";

import { MutationCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import {
  createTRPCClient,
  httpBatchLink,
  httpSubscriptionLink,
  splitLink,
  TRPCClientError,
} from "@trpc/client";
import { createTRPCContext } from "@trpc/tanstack-react-query";
import { useState, type ReactNode } from "react";
import superjson from "superjson";
import { toast } from "@/components/ui/toast-store";
import type { AppRouter } from "@/server/api/root";

export const { TRPCProvider, useTRPC } = createTRPCContext<AppRouter>();

export type AppClientError = TRPCClientError<AppRouter>;

/** Field errors a failed mutation carries (from zod or a service), keyed by dotted path. */
export function fieldErrorsOf(error: unknown): Record<string, string[]> {
  if (error instanceof TRPCClientError) {
    const data = (error as AppClientError).data;
    return data?.fieldErrors ?? {};
  }
  return {};
}

const NO_RETRY = new Set([
  "BAD_REQUEST",
  "UNAUTHORIZED",
  "FORBIDDEN",
  "NOT_FOUND",
  "CONFLICT",
  "TOO_MANY_REQUESTS",
  "PRECONDITION_FAILED",
]);

function makeQueryClient() {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 5_000,
        retry: (count, error) => {
          const code = error instanceof TRPCClientError ? (error as AppClientError).data?.code : undefined;
          return !(code && NO_RETRY.has(code)) && count < 2;
        },
      },
    },
    mutationCache: new MutationCache({
      onError: (error, _vars, _ctx, mutation) => {
        // Forms show their own errors next to the fields; everything else gets a toast.
        if (mutation.meta?.inlineErrors && Object.keys(fieldErrorsOf(error)).length > 0) return;
        toast({ variant: "error", title: "That didn't work", description: error.message });
      },
    }),
  });
}

const LARGE_INPUT =
  /^(catalog\.check|catalog\.templates$|catalog\.constraintYaml$|cloud\.quotaCheck$|cluster\.estimate$)/;

export function TRPCReactProvider({ children }: { children: ReactNode }) {
  const [queryClient] = useState(makeQueryClient);
  const [trpcClient] = useState(() =>
    createTRPCClient<AppRouter>({
      links: [
        splitLink({
          // Subscriptions (live updates) are server-sent events; the browser's EventSource sends the cookie.
          condition: (op) => op.type === "subscription",
          true: httpSubscriptionLink({ url: "/api/trpc", transformer: superjson }),
          false: splitLink({
            // Queries that carry a whole spec or YAML the user typed go in a POST body: in a URL
            // they outgrow the server's header limit (431).
            condition: (op) => op.type === "query" && LARGE_INPUT.test(op.path),
            true: httpBatchLink({ url: "/api/trpc", transformer: superjson, methodOverride: "POST" }),
            false: httpBatchLink({ url: "/api/trpc", transformer: superjson, maxURLLength: 8_000 }),
          }),
        }),
      ],
    }),
  );
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  );
}

declare module "@tanstack/react-query" {
  interface Register {
    mutationMeta: { inlineErrors?: boolean };
  }
}
