import { describe, expect, it } from "vitest";
import type { MadeByCluster } from "@/server/contracts/cluster-status";
import {
  deleteImpact,
  lbAddress,
  madeByClusterView,
  operatingTone,
  provisioningTone,
  volumeStatusTone,
  type MadeLoadBalancer,
  type MadeVolume,
} from "./made-by-cluster";

const CLUSTER = "0b6f3c1e-7d2a-4f0e-9a51-3c2d1e0f9a8b";

const lb = (over: Partial<MadeLoadBalancer> = {}): MadeLoadBalancer => ({
  id: "lb-1",
  name: `kube_service_${CLUSTER}_default_web`,
  service: { namespace: "default", name: "web" },
  vipAddress: "10.0.0.21",
  floatingIp: "127.66.0.40",
  provisioning: "ACTIVE",
  operating: "ONLINE",
  ...over,
});

const volume = (over: Partial<MadeVolume> = {}): MadeVolume => ({
  id: "vol-1",
  name: "pvc-5c0e9d52-2f4b-4d0a-9d0e-6f1b2a3c4d5e",
  sizeGb: 10,
  volumeType: "ceph-ssd",
  status: "in-use",
  availabilityZone: "ru-msk-a",
  claim: { namespace: "shop", name: "data-db-0" },
  attachedTo: "workers-a-1",
  ...over,
});

const made = (over: Partial<MadeByCluster> = {}): MadeByCluster => ({
  at: "2026-03-01T12:00:00Z",
  loadBalancers: [],
  volumes: [],
  ...over,
});

const cost = (over: Partial<Parameters<typeof madeByClusterView>[1]> = {}) => ({
  currency: "EUR",
  lines: [
    { item: "masters" as const, perMonth: 100 },
    { item: "madeByCluster" as const, perMonth: 23.5 },
  ],
  unpriced: [],
  ...over,
});

describe("madeByClusterView", () => {
  it("is unknown before the worker has looked, not empty", () => {
    expect(madeByClusterView(undefined, cost())).toEqual({ kind: "unknown" });
  });

  it("is empty when it looked and found nothing", () => {
    expect(madeByClusterView(made(), cost())).toEqual({ kind: "empty", at: "2026-03-01T12:00:00Z" });
  });

  it("lists them by Service / claim, those of no known owner last, with the cost line's price", () => {
    const view = madeByClusterView(
      made({
        loadBalancers: [
          lb({ id: "b", service: null, name: "kube_service_x" }),
          lb({ id: "c", service: { namespace: "shop", name: "api" } }),
          lb({ id: "a", service: { namespace: "default", name: "web" } }),
        ],
        volumes: [volume({ id: "2", claim: { namespace: "shop", name: "data-db-1" } }), volume({ id: "1" })],
      }),
      cost(),
    );
    expect(view).toMatchObject({ kind: "list", price: { perMonth: 23.5, currency: "EUR" }, unpriced: [] });
    if (view.kind !== "list") throw new Error("not a list");
    expect(view.loadBalancers.map((l) => l.id)).toEqual(["a", "c", "b"]);
    expect(view.volumes.map((v) => v.id)).toEqual(["1", "2"]);
  });

  it("has no price without the cost line, and names only what of them is unpriced", () => {
    const view = madeByClusterView(
      made({ loadBalancers: [lb({ floatingIp: null })], volumes: [volume({ volumeType: null })] }),
      cost({
        lines: [{ item: "masters", perMonth: 1 }],
        unpriced: ["flavor m1.huge", "load balancer", "floating IP", "volume type default", "load balancer"],
      }),
    );
    expect(view).toMatchObject({
      kind: "list",
      price: null,
      unpriced: ["load balancer", "volume type default"],
    });
  });
});

describe("lbAddress", () => {
  it("is the floating IP, or the VIP said to be private", () => {
    expect(lbAddress(lb())).toEqual({ text: "127.66.0.40", public: true });
    expect(lbAddress(lb({ floatingIp: null }))).toEqual({
      text: "VIP 10.0.0.21 (no public address)",
      public: false,
    });
  });
});

describe("tones", () => {
  it.each([
    [provisioningTone, "ACTIVE", "success"],
    [provisioningTone, "PENDING_UPDATE", "primary"],
    [provisioningTone, "ERROR", "danger"],
    [provisioningTone, "DELETED", "warning"],
    [operatingTone, "ONLINE", "success"],
    [operatingTone, "NO_MONITOR", "success"],
    [operatingTone, "DEGRADED", "warning"],
    [operatingTone, "OFFLINE", "danger"],
    [volumeStatusTone, "in-use", "success"],
    [volumeStatusTone, "available", "neutral"],
    [volumeStatusTone, "creating", "primary"],
    [volumeStatusTone, "error_deleting", "danger"],
    [volumeStatusTone, "maintenance", "warning"],
  ] as const)("%#: %s → %s", (tone, status, expected) => {
    expect(tone(status)).toBe(expected);
  });
});

describe("deleteImpact", () => {
  it("has no checkbox and no lines when the cluster made nothing (or was never looked at)", () => {
    const none = { volumes: 0, volumeGb: 0, keepLabel: null, loadBalancers: null, claimVolumes: null };
    expect(deleteImpact(undefined)).toEqual(none);
    expect(deleteImpact(made())).toEqual(none);
  });

  it("counts volumes and their size, and load balancers with their public addresses", () => {
    expect(
      deleteImpact(
        made({
          loadBalancers: [lb(), lb({ id: "2", floatingIp: null })],
          volumes: [volume(), volume({ id: "2", sizeGb: 5 }), volume({ id: "3", sizeGb: 20 })],
        }),
      ),
    ).toEqual({
      volumes: 3,
      volumeGb: 35,
      keepLabel: "Keep the 3 volumes made for PersistentVolumeClaims (35 GB)",
      loadBalancers: "2 Service load balancers and 1 public address",
      claimVolumes: "3 claim volumes (35 GB)",
    });
  });

  it("speaks of one of each in the singular", () => {
    expect(deleteImpact(made({ loadBalancers: [lb({ floatingIp: null })], volumes: [volume()] }))).toEqual({
      volumes: 1,
      volumeGb: 10,
      keepLabel: "Keep the volume made for a PersistentVolumeClaim (10 GB)",
      loadBalancers: "1 Service load balancer",
      claimVolumes: "1 claim volume (10 GB)",
    });
    expect(deleteImpact(made({ loadBalancers: [lb(), lb({ id: "2" })] })).loadBalancers).toBe(
      "2 Service load balancers and 2 public addresses",
    );
  });
});
