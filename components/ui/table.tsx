import type { ReactNode, TdHTMLAttributes, ThHTMLAttributes } from "react";
import { cn } from "./cn";

/**
 * Tables: the structure and accessibility every table needs (a caption,
 * column headers with scope), with spacing left to the caller so cards,
 * panels and inline lists keep their own density.
 */
export function Table({
  caption,
  captionClassName = "sr-only",
  className,
  children,
}: {
  /** The table's accessible name (screen readers; visible with captionClassName). */
  caption?: ReactNode;
  captionClassName?: string;
  className?: string;
  children: ReactNode;
}) {
  return (
    <table className={cn("w-full text-left", className)}>
      {caption !== undefined && <caption className={captionClassName}>{caption}</caption>}
      {children}
    </table>
  );
}

export type Column = ReactNode | { label: ReactNode; className?: string; key?: string };

/** One header row: `columns` in order, each cell with `cellClassName`, `spacing` (but the last) and its own className. */
export function TableHead({
  columns,
  className,
  rowClassName,
  cellClassName,
  spacing,
}: {
  columns: Column[];
  /** On <thead> (after "text-xs text-muted"). */
  className?: string;
  rowClassName?: string;
  cellClassName?: string;
  /** On every column but the last: the room between columns (`pr-3`). */
  spacing?: string;
}) {
  return (
    <thead className={cn("text-xs text-muted", className)}>
      <tr className={rowClassName}>
        {columns.map((c, i) => {
          const col = c !== null && typeof c === "object" && "label" in c ? c : { label: c as ReactNode };
          return (
            <Th
              key={col.key ?? i}
              className={cn(cellClassName, i < columns.length - 1 && spacing, col.className)}
            >
              {col.label}
            </Th>
          );
        })}
      </tr>
    </thead>
  );
}

/** A column header. */
export function Th({ className, ...props }: ThHTMLAttributes<HTMLTableCellElement>) {
  return <th scope="col" className={cn("font-medium", className)} {...props} />;
}

/** A row that says there is nothing to show, across every column. */
export function EmptyRow({
  colSpan,
  className,
  children,
}: {
  colSpan: number;
  className?: string;
  children: ReactNode;
} & Pick<TdHTMLAttributes<HTMLTableCellElement>, "className">) {
  return (
    <tr>
      <td colSpan={colSpan} className={className}>
        {children}
      </td>
    </tr>
  );
}
