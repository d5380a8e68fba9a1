import { ChoiceCard, Section } from "./parts";
import { PURPOSES, type Purpose } from "./presets";

export function PurposeStep({ purpose, onPick }: { purpose: Purpose; onPick: (p: Purpose) => void }) {
  return (
    <Section
      title="What is this cluster for?"
      description="A starting point for every setting; you can change all of them in the next steps."
    >
      <div role="radiogroup" aria-label="Purpose" className="grid grid-cols-3 gap-4">
        {PURPOSES.map((p) => (
          <ChoiceCard
            key={p.id}
            name="purpose"
            selected={purpose === p.id}
            onSelect={() => onPick(p.id)}
            title={p.title}
          >
            {p.text}
          </ChoiceCard>
        ))}
      </div>
    </Section>
  );
}
