import { z } from "zod";

/** What a member may ask of one node from the Node groups tab. */
export const NODE_ACTIONS = ["cordon", "uncordon", "drain", "replace"] as const;
export type NodeAction = (typeof NODE_ACTIONS)[number];

export const NodeActionInput = z.object({
  projectId: z.uuid(),
  clusterId: z.uuid(),
  node: z
    .string()
    .trim()
    .min(1, { message: "Name the node" })
    .max(63, { message: "A node name is at most 63 characters" })
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { message: "Not a node name of this cluster" }),
  action: z.enum(NODE_ACTIONS, { message: `Choose one of: ${NODE_ACTIONS.join(", ")}` }),
});
export type NodeActionInput = z.infer<typeof NodeActionInput>;

/** The newest request for a node (intent, written by the API). */
export interface NodeRequest {
  id: string;
  action: NodeAction;
  requestedAt: string;
  by: { userId: string | null; email: string };
}
export type NodeRequests = Record<string, NodeRequest>;

/** Where the reconciler stands on a node's newest request (status). */
export interface NodeActionStatus {
  /** The request it is about. */
  id: string;
  action: NodeAction;
  state: "running" | "done" | "failed";
  /** What it waits for (a PodDisruptionBudget), or why it failed. */
  message: string | null;
  at: string;
  /** A replace: the server being replaced (done once it is gone and its successor runs). */
  serverId?: string;
}

/** What each action does, for the confirmation dialog and the API reference. */
export const NODE_ACTION_MEANS: Record<NodeAction, string> = {
  cordon: "No new pods are scheduled onto the node; the pods on it keep running.",
  uncordon: "The node takes new pods again.",
  drain:
    "The node is cordoned and its pods are evicted (PodDisruptionBudgets are respected; DaemonSet pods stay). Their controllers start them elsewhere.",
  replace:
    "The node is drained, its server deleted, and a new server with the same name joins the node group (its local disk is lost).",
};
