/** A tiny store so that non-React code (the query client) can raise toasts. */
export interface ToastItem {
  id: number;
  title: string;
  description?: string;
  variant: "success" | "error" | "info";
}

const EMPTY: ToastItem[] = [];
let items: ToastItem[] = EMPTY;
let nextId = 1;
const listeners = new Set<() => void>();
const emit = () => listeners.forEach((l) => l());

export function toast(t: Omit<ToastItem, "id" | "variant"> & { variant?: ToastItem["variant"] }): void {
  items = [...items.slice(-4), { id: nextId++, variant: "info", ...t }];
  emit();
}

export function dismissToast(id: number): void {
  items = items.filter((t) => t.id !== id);
  emit();
}

export const toastStore = {
  subscribe(l: () => void) {
    listeners.add(l);
    return () => listeners.delete(l);
  },
  get: () => items,
  empty: () => EMPTY,
};
