import type { ReactNode } from "react";
import { Button } from "./button";

/** The foot of a paged list: how many are shown, and a button for the next page (or `end` when there is none). */
export function LoadMore({
  shown,
  hasMore,
  loading,
  onMore,
  label,
  end = null,
}: {
  shown: ReactNode;
  hasMore: boolean;
  loading: boolean;
  onMore: () => void;
  label: string;
  end?: ReactNode;
}) {
  return (
    <div className="flex items-center justify-between border-t border-border px-4 py-2.5 text-xs text-muted">
      <span>{shown}</span>
      {hasMore ? (
        <Button variant="secondary" size="sm" loading={loading} onClick={onMore}>
          {label}
        </Button>
      ) : (
        end
      )}
    </div>
  );
}
