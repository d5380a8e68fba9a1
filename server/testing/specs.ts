import type { Db } from "@/db/client";
import { makeUser } from "@/db/testing";
import type { ClusterSpecInput } from "@/server/contracts/cluster";

/** One master and one fixed node group `web` in ru-msk-a: the cluster most tests start from. */
export function smallSpec(name: string, workers = 2, over: Partial<ClusterSpecInput> = {}): ClusterSpecInput {
  return {
    name,
    topology: "single",
    masterCount: 1,
    masterFlavor: "STD2-2-4",
    nodeGroups: [
      { name: "web", flavor: "STD2-2-4", zone: "ru-msk-a", scaling: { mode: "fixed", size: workers } },
    ],
    ...over,
  };
}

/** A new user creates the cluster in their personal project. */
export async function createAsNewUser(db: Db, spec: ClusterSpecInput) {
  const u = await makeUser(db);
  const c = await u.caller.cluster.create({ projectId: u.personalProjectId, spec });
  return { u, c, ref: { projectId: u.personalProjectId, clusterId: c.id } };
}

/** The catalog defaults the services fill in from the emulator's catalog, for tests that parse specs directly. */
export function withEmulatorDefaults(spec: ClusterSpecInput): ClusterSpecInput {
  return {
    ...spec,
    masterZone: spec.masterZone ?? "ru-msk-a",
    etcd: { volumeType: "high-iops", ...spec.etcd },
    nodeGroups: (spec.nodeGroups ?? []).map((g) => ({ diskType: "ceph-ssd", ...g })),
  };
}
