import type { InputHTMLAttributes } from "react";
import { Input } from "./field";

/** A number input whose value is a number: `onValueChange` gets what the user typed, as a number. */
export function NumberInput({
  value,
  onValueChange,
  ...props
}: Omit<InputHTMLAttributes<HTMLInputElement>, "type" | "value" | "onChange"> & {
  value: number;
  onValueChange: (value: number) => void;
}) {
  return (
    <Input {...props} type="number" value={value} onChange={(e) => onValueChange(Number(e.target.value))} />
  );
}
