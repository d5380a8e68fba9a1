import {
  forwardRef,
  useId,
  type InputHTMLAttributes,
  type ReactNode,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
} from "react";
import { cn } from "./cn";

export const controlClass =
  "block rounded-md border border-border bg-surface px-3 text-sm text-fg shadow-xs placeholder:text-muted " +
  "outline-none transition-colors focus:border-ring focus:ring-2 focus:ring-ring/30 disabled:opacity-60 " +
  "aria-[invalid=true]:border-danger aria-[invalid=true]:focus:ring-danger/30";

/** Full width unless the caller gives a width (`w-20`): two width classes would leave it to CSS order. */
const widthOf = (className: string | undefined) => (/(^|\s)w-/.test(className ?? "") ? null : "w-full");

export const Input = forwardRef<HTMLInputElement, InputHTMLAttributes<HTMLInputElement>>(function Input(
  { className, ...props },
  ref,
) {
  return <input ref={ref} className={cn(controlClass, widthOf(className), "h-9", className)} {...props} />;
});

export const Select = forwardRef<HTMLSelectElement, SelectHTMLAttributes<HTMLSelectElement>>(function Select(
  { className, ...props },
  ref,
) {
  return (
    <select ref={ref} className={cn(controlClass, widthOf(className), "h-9 pr-8", className)} {...props} />
  );
});

export const Textarea = forwardRef<HTMLTextAreaElement, TextareaHTMLAttributes<HTMLTextAreaElement>>(
  function Textarea({ className, ...props }, ref) {
    return (
      <textarea
        ref={ref}
        className={cn(controlClass, widthOf(className), "py-2 font-mono text-xs", className)}
        {...props}
      />
    );
  },
);

/**
 * Label + control + hint + errors, wired for screen readers: the control
 * gets `aria-invalid` and `aria-describedby` pointing at the messages.
 */
export function Field({
  label,
  hint,
  errors,
  children,
  className,
}: {
  label: ReactNode;
  hint?: ReactNode;
  errors?: string[];
  children: (props: {
    id: string;
    "aria-invalid": boolean;
    "aria-describedby": string | undefined;
  }) => ReactNode;
  className?: string;
}) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const invalid = Boolean(errors && errors.length > 0);
  const describedBy = [hint ? hintId : null, invalid ? errorId : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className={cn("space-y-1.5", className)}>
      <label htmlFor={id} className="block text-sm font-medium text-fg">
        {label}
      </label>
      {children({ id, "aria-invalid": invalid, "aria-describedby": describedBy })}
      {hint && !invalid && (
        <p id={hintId} className="text-xs text-muted">
          {hint}
        </p>
      )}
      {invalid && <FieldErrors id={errorId} messages={errors!} />}
    </div>
  );
}

/** A field's messages, one per line (run together they read as one garbled sentence). */
export function FieldErrors({ id, messages }: { id?: string; messages: string[] }) {
  const unique = [...new Set(messages)];
  return (
    <div id={id} role="alert" className="space-y-0.5 text-xs font-medium text-danger">
      {unique.map((m) => (
        <p key={m}>{m}</p>
      ))}
    </div>
  );
}

type FieldProps = {
  label: ReactNode;
  hint?: ReactNode;
  errors?: string[];
  /** On the field's wrapper (the control takes `className`). */
  fieldClassName?: string;
};

/** A `Field` with an `Input`: the props other than the field's go to the input. */
export function InputField({
  label,
  hint,
  errors,
  fieldClassName,
  ...input
}: FieldProps & InputHTMLAttributes<HTMLInputElement>) {
  return (
    <Field label={label} hint={hint} errors={errors} className={fieldClassName}>
      {(p) => <Input {...p} {...input} />}
    </Field>
  );
}

/** A `Field` with a `Select`: the props other than the field's (and the options) go to the select. */
export function SelectField({
  label,
  hint,
  errors,
  fieldClassName,
  ...select
}: FieldProps & SelectHTMLAttributes<HTMLSelectElement>) {
  return (
    <Field label={label} hint={hint} errors={errors} className={fieldClassName}>
      {(p) => <Select {...p} {...select} />}
    </Field>
  );
}

/** One `<option>` per value, the value as its text. */
export function Options({ values }: { values: readonly string[] }) {
  return values.map((v) => (
    <option key={v} value={v}>
      {v}
    </option>
  ));
}

/** A checkbox and its label on one line; `labelClassName` on the label, the other props on the input. */
export function CheckboxField({
  label,
  labelClassName = "text-fg",
  ...input
}: { label: ReactNode; labelClassName?: string } & Omit<InputHTMLAttributes<HTMLInputElement>, "type">) {
  return (
    <label className={cn("flex items-center gap-2 text-sm", labelClassName)}>
      <input type="checkbox" {...input} />
      {label}
    </label>
  );
}

/** A label over an inline control (toolbars, filters): the caption above, the control as children. */
export function InlineField({
  label,
  className,
  children,
}: {
  label: ReactNode;
  className?: string;
  children: ReactNode;
}) {
  return (
    <label className={cn("text-sm", className)}>
      <span className="mb-1 block font-medium text-fg">{label}</span>
      {children}
    </label>
  );
}
