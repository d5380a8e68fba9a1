import { z } from "zod";
import { line } from "./text";
import { ClusterRef } from "./cluster";
import { AddonChoice } from "./policies";

const Generation = { generation: z.number().int().positive() };
export const InstallAddonInput = ClusterRef.extend({ ...Generation, addon: AddonChoice });
export const UninstallAddonInput = ClusterRef.extend({ ...Generation, id: line().min(1).max(100) });
export type InstallAddonInput = z.infer<typeof InstallAddonInput>;
export type UninstallAddonInput = z.infer<typeof UninstallAddonInput>;
