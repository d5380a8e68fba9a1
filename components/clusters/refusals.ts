import type { AdmissionRefusal, PolicyStatus } from "@/server/contracts/cluster-status";

/**
 * Pods Gatekeeper's admission webhook refused (status.policies.refusals), as
 * the Health & load and Policies tabs show them: what the API server said,
 * split into each constraint's reason, or the webhook not answering at all.
 */

/** What the refusals card has to show. */
export type RefusalsView =
  /** Gatekeeper is off (or being removed): nothing to show. */
  | { kind: "off" }
  /** Gatekeeper is starting: the worker reads refusals once it is ready. */
  | { kind: "starting" }
  /** Ready, but not read yet (a status written before refusals were read). */
  | { kind: "unread" }
  /** Newest first; `stale` when the cluster's API did not answer the last read (they are as of `at`). */
  | { kind: "list"; refusals: AdmissionRefusal[]; stale: boolean; at: string };

export function refusalsView(policies: PolicyStatus | undefined): RefusalsView {
  if (!policies || policies.gatekeeper === "Off" || policies.gatekeeper === "Removing")
    return { kind: "off" };
  if (policies.gatekeeper === "Installing") return { kind: "starting" };
  if (!policies.refusals) return { kind: "unread" };
  return {
    kind: "list",
    refusals: policies.refusals,
    stale: policies.gatekeeper === "Unreachable",
    at: policies.at,
  };
}

export type RefusalReason =
  /** Constraints said no: each one's own words (`constraint` null for text that names none). */
  | { kind: "denied"; reasons: Array<{ constraint: string | null; text: string }> }
  /** The webhook did not answer, and it fails closed: `detail` is the API server's error after the webhook's name. */
  | { kind: "unavailable"; detail: string };

const DENIED = /admission webhook "[^"]*" denied the request:\s*/;
const UNAVAILABLE = /failed calling webhook "[^"]*":\s*/;
/** Where Gatekeeper starts one constraint's message: "[name] ", at the start or after a line break/space. */
const CONSTRAINT_TAG = /(^|\s)\[([a-z0-9][a-z0-9.-]*)\]\s*/g;

/**
 * The API server's message, made readable: Gatekeeper's denial
 * ("… denied the request: [allowed-repos] container <web> has an invalid
 * image repo …\n[other] …") split per constraint, without the boilerplate
 * before it; a webhook that was not answering (no constraint named) with
 * the connection error only. Nothing of the reasons is dropped.
 */
export function explainRefusal(r: Pick<AdmissionRefusal, "constraints" | "message">): RefusalReason {
  const denied = DENIED.exec(r.message);
  if (r.constraints.length === 0 && !denied) {
    const down = UNAVAILABLE.exec(r.message);
    return {
      kind: "unavailable",
      detail: (down ? r.message.slice(down.index + down[0].length) : r.message).trim(),
    };
  }
  const body = denied ? r.message.slice(denied.index + denied[0].length) : r.message;
  const named = new Set(r.constraints);
  const cuts = [...body.matchAll(CONSTRAINT_TAG)]
    .filter((m) => named.has(m[2]!))
    .map((m) => ({ start: m.index + m[1]!.length, end: m.index + m[0].length, constraint: m[2]! }));
  if (cuts.length === 0) return { kind: "denied", reasons: [{ constraint: null, text: body.trim() }] };
  const reasons: Array<{ constraint: string | null; text: string }> = [];
  const lead = body.slice(0, cuts[0]!.start).trim();
  if (lead) reasons.push({ constraint: null, text: lead });
  cuts.forEach((c, i) =>
    reasons.push({ constraint: c.constraint, text: body.slice(c.end, cuts[i + 1]?.start).trim() }),
  );
  return { kind: "denied", reasons };
}

/** How many of the refused objects each constraint refused (constraint name → count). */
export function refusalCounts(refusals: readonly AdmissionRefusal[] | undefined): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of refusals ?? [])
    for (const c of new Set(r.constraints)) counts.set(c, (counts.get(c) ?? 0) + 1);
  return counts;
}

/**
 * The refusals that explain a deployment's missing pods: its ReplicaSets
 * ("web-7d9f8c6b5" or the emulator's "web-rs") in its namespace, or the
 * deployment itself.
 */
export function refusalsOfDeployment(
  d: { namespace: string; name: string },
  refusals: readonly AdmissionRefusal[] | undefined,
): AdmissionRefusal[] {
  const prefix = `${d.name}-`;
  return (refusals ?? []).filter(
    (r) =>
      r.namespace === d.namespace &&
      ((r.kind === "Deployment" && r.name === d.name) ||
        (r.kind === "ReplicaSet" &&
          r.name.startsWith(prefix) &&
          /^[a-z0-9]+$/.test(r.name.slice(prefix.length)))),
  );
}
