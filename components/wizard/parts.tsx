import { Check } from "lucide-react";
import type { ReactNode } from "react";
import { cn } from "@/components/ui/cn";
import type { ClusterSpecInput } from "@/server/contracts/cluster";

export type Spec = ClusterSpecInput;
export type Group = NonNullable<Spec["nodeGroups"]>[number];

/** The parts every wizard step is made of. */

export function Section({
  title,
  description,
  children,
}: {
  title: string;
  description?: ReactNode;
  children: ReactNode;
}) {
  return (
    <section className="space-y-4">
      <div>
        <h2 className="text-base font-semibold text-fg">{title}</h2>
        {description && <p className="mt-0.5 text-sm text-muted">{description}</p>}
      </div>
      {children}
    </section>
  );
}

export function ChoiceCard({
  selected,
  onSelect,
  icon,
  title,
  children,
  name,
}: {
  selected: boolean;
  onSelect: () => void;
  icon?: ReactNode;
  title: string;
  children: ReactNode;
  name: string;
}) {
  return (
    <label
      className={cn(
        "flex cursor-pointer flex-col gap-2 rounded-lg border bg-surface p-4 shadow-xs has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-ring",
        selected ? "border-primary ring-1 ring-primary" : "border-border hover:border-muted",
      )}
    >
      <input type="radio" name={name} checked={selected} onChange={onSelect} className="sr-only" />
      <span className="flex items-center gap-2 text-sm font-semibold text-fg">
        {icon}
        {title}
        {selected && <Check className="ml-auto size-4 text-primary" aria-hidden />}
      </span>
      <span className="text-sm text-muted">{children}</span>
    </label>
  );
}

/** A radio group of `ChoiceCard`s, one per option, three to a row. */
export function ChoiceCards<T extends string>({
  label,
  name,
  value,
  options,
  onPick,
}: {
  label: string;
  name: string;
  value: T;
  options: readonly { id: T; title: string; text: ReactNode; icon?: ReactNode }[];
  onPick: (id: T) => void;
}) {
  return (
    <div role="radiogroup" aria-label={label} className="grid grid-cols-3 gap-4">
      {options.map((o) => (
        <ChoiceCard
          key={o.id}
          name={name}
          selected={value === o.id}
          icon={o.icon}
          title={o.title}
          onSelect={() => onPick(o.id)}
        >
          {o.text}
        </ChoiceCard>
      ))}
    </div>
  );
}

export type StepProps = {
  spec: Spec;
  setSpec: (s: Spec) => void;
  err: (path: string) => string[] | undefined;
  /** Every message at or below a path (e.g. all label keys of a group). */
  under: (prefix: string) => string[];
};
