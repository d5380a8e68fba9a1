import { cn } from "./cn";

/**
 * A form's or dialog's error from the server, announced to screen readers.
 * `padding`: the vertical room (`py-2`; pages' forms use `py-2.5`).
 */
export function FormError({
  message,
  padding = "py-2",
}: {
  message: string | null | undefined;
  padding?: string;
}) {
  if (!message) return null;
  return (
    <p
      role="alert"
      className={cn("rounded-md border border-danger/30 bg-danger/10 px-3 text-sm text-danger", padding)}
    >
      {message}
    </p>
  );
}
