export function Logo({ withText = true }: { withText?: boolean }) {
  return (
    <span className="inline-flex items-center gap-2.5">
      <svg viewBox="0 0 32 32" className="size-7" aria-hidden="true">
        <rect width="32" height="32" rx="8" className="fill-primary" />
        <path
          d="M16 6l8.66 5v10L16 26l-8.66-5V11z"
          fill="none"
          stroke="white"
          strokeWidth="2.2"
          strokeLinejoin="round"
        />
        <circle cx="16" cy="16" r="3" fill="white" />
      </svg>
      {withText && (
        <span className="text-[15px] leading-tight font-semibold tracking-tight text-fg">
          Kubernetes <span className="font-normal text-muted">Console</span>
        </span>
      )}
    </span>
  );
}
