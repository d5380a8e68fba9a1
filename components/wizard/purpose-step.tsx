"use client";

import { useQueries } from "@tanstack/react-query";
import { useCatalog } from "@/components/catalog/catalog-provider";
import { useTRPC } from "@/components/trpc/client";
import { formatMoney } from "@/components/ui/format";
import { ChoiceCards, Section } from "./parts";
import { PURPOSES, presetSpec, type Purpose } from "./presets";

export function PurposeStep({
  projectId,
  purpose,
  onPick,
}: {
  projectId: string;
  purpose: Purpose;
  onPick: (p: Purpose) => void;
}) {
  const trpc = useTRPC();
  const { catalog } = useCatalog();
  // Each preset priced as it would be created (autoscaling groups at their minimum), with this cloud's prices.
  const prices = useQueries({
    queries: PURPOSES.map((p) => ({
      ...trpc.cluster.estimate.queryOptions({
        projectId,
        spec: { ...presetSpec(p.id, catalog.newestVersion, catalog), name: "preset" },
      }),
      retry: false,
      staleTime: 5 * 60_000,
    })),
  });
  const options = PURPOSES.map((p, i) => {
    const e = prices[i]?.data;
    return {
      ...p,
      text: (
        <>
          {p.text}
          <span className="mt-2 block text-xs font-medium text-fg tabular-nums">
            {e ? `from ${formatMoney(e.perMonth, e.currency)}/month` : prices[i]?.isError ? "" : "pricing…"}
          </span>
        </>
      ),
    };
  });
  return (
    <Section
      title="What is this cluster for?"
      description="A starting point for every setting; you can change all of them in the next steps."
    >
      <ChoiceCards label="Purpose" name="purpose" value={purpose} options={options} onPick={onPick} />
    </Section>
  );
}
