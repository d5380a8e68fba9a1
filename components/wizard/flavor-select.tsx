"use client";

import { useCatalog } from "@/components/catalog/catalog-provider";
import { formatMoney } from "@/components/ui/format";
import { Select } from "@/components/ui/field";

/** The project's flavors, with their size and monthly price. */

export function FlavorSelect({
  value,
  onChange,
  ...p
}: {
  value: string;
  onChange: (v: string) => void;
  id: string;
  "aria-invalid": boolean;
  "aria-describedby": string | undefined;
}) {
  const { catalog } = useCatalog();
  return (
    <Select {...p} value={value} onChange={(e) => onChange(e.target.value)}>
      {catalog.flavors.map((f) => (
        <option key={f.name} value={f.name}>
          {f.name} · {f.vcpus} vCPU, {f.ramGb} GB{f.gpus ? `, ${f.gpus} GPU` : ""} ·{" "}
          {f.pricePerHour === null
            ? "price not set"
            : `${formatMoney(f.pricePerHour * 730, catalog.currency)}/mo`}
        </option>
      ))}
    </Select>
  );
}
