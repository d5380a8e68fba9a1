import { ChoiceCards, Section } from "./parts";
import { PURPOSES, type Purpose } from "./presets";

export function PurposeStep({ purpose, onPick }: { purpose: Purpose; onPick: (p: Purpose) => void }) {
  return (
    <Section
      title="What is this cluster for?"
      description="A starting point for every setting; you can change all of them in the next steps."
    >
      <ChoiceCards label="Purpose" name="purpose" value={purpose} options={PURPOSES} onPick={onPick} />
    </Section>
  );
}
