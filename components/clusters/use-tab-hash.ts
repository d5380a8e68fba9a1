"use client";

import { useCallback, useEffect, useSyncExternalStore } from "react";

/**
 * The cluster page's tabs are addressed by the URL's hash: "#policies" opens
 * the Policies tab, "#policies/allowed-repos" opens it and brings the
 * element whose id is "policies/allowed-repos" (that constraint's row) into
 * view and focus. Plain `<a href="#…">` links move between tabs, the back
 * button returns, and a reload keeps the tab.
 */

/** The tab and the element a hash names; the fallback tab for an empty or unknown hash. */
export function parseTabHash(
  hash: string,
  tabs: readonly string[],
  fallback: string,
): { tab: string; target: string | null } {
  let h = hash.replace(/^#/, "");
  try {
    h = decodeURIComponent(h);
  } catch {
    // Left as it is.
  }
  const slash = h.indexOf("/");
  const tab = slash === -1 ? h : h.slice(0, slash);
  if (!tabs.includes(tab)) return { tab: fallback, target: null };
  return { tab, target: slash === -1 || slash === h.length - 1 ? null : h };
}

/** The DOM id of an element a tab's link can open (style its :focus: it is focused when opened). */
export const tabTargetId = (tab: string, id: string) => `${tab}/${id}`;
/** The href of a link to a tab, or to an element on it (see tabTargetId). */
export const tabHref = (tab: string, id?: string) => `#${id ? tabTargetId(tab, id) : tab}`;

function subscribe(onChange: () => void) {
  window.addEventListener("hashchange", onChange);
  return () => window.removeEventListener("hashchange", onChange);
}
const clientHash = () => window.location.hash;
const serverHash = () => "";

/**
 * The open tab (from the hash) and a setter that records it in the hash
 * (replacing the history entry: switching tabs adds none). Once `ready`
 * (the tabs' content is rendered), the element a hash names is scrolled to
 * and focused (focusable until it loses focus, so a click on it later does
 * not focus it).
 */
export function useTabHash(tabs: readonly string[], fallback: string, ready: boolean) {
  const hash = useSyncExternalStore(subscribe, clientHash, serverHash);
  const { tab, target } = parseTabHash(hash, tabs, fallback);
  const setTab = useCallback((next: string) => {
    window.history.replaceState(window.history.state, "", `#${next}`);
    window.dispatchEvent(new HashChangeEvent("hashchange"));
  }, []);
  useEffect(() => {
    if (!ready || !target) return;
    // A tab's content mounts a frame after it is chosen (Radix's Presence): look again for a few frames.
    let frame = 0;
    let tries = 0;
    const open = () => {
      const el = document.getElementById(target);
      if (!el) {
        if (++tries < 30) frame = requestAnimationFrame(open);
        return;
      }
      el.scrollIntoView({ block: "start" });
      if (!el.hasAttribute("tabindex")) {
        el.setAttribute("tabindex", "-1");
        el.addEventListener("blur", () => el.removeAttribute("tabindex"), { once: true });
      }
      el.focus({ preventScroll: true });
    };
    open();
    return () => cancelAnimationFrame(frame);
  }, [ready, target]);
  return { tab, setTab };
}
