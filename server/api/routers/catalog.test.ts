import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { createTestDb, makeUser } from "@/db/testing";
import { ADDONS, checkValues, defaultAddons, defaultValuesYaml } from "@/server/domain/addons";
import { allocatable } from "@/server/domain/flavors";
import { emulatorCatalogFixture } from "@/server/testing/emulator-catalog";
import { defaultPolicies, parseTemplateYaml } from "@/server/domain/policies";
import { NEWEST_VERSION } from "@/server/domain/versions";
import { CUSTOM_TEMPLATE } from "@/server/testing/policies";

let db: Db;
let drop: () => Promise<void>;
beforeAll(async () => ({ db, drop } = await createTestDb()));
afterAll(() => drop());

/** The catalog and checks the UI asks for instead of bundling server/domain: the same data, the same messages. */
describe("catalog", () => {
  it("gives the versions newest first, the flavors, the addons with their defaults and the policy library", async () => {
    const u = await makeUser(db);
    const projectId = u.personalProjectId;
    const c = await u.caller.catalog.get({ projectId });
    expect(c.newestVersion).toBe(NEWEST_VERSION);
    expect(c.versions[0]!.version).toBe(NEWEST_VERSION);
    // The cloud's own flavors, with Nova's figures and the emulator's prices.
    expect(c.flavors.map((f) => f.name)).toEqual(emulatorCatalogFixture().flavors.map((f) => f.name));
    expect(c.flavors.find((f) => f.name === "STD2-4-8")).toMatchObject({
      vcpus: 4,
      ramGb: 8,
      pricePerHour: 0.0444,
    });
    expect(c.zones).toEqual(["ru-msk-a", "ru-msk-b", "ru-msk-c"]);
    expect(c.cloud.ready).toBe(true);
    expect(c.addons.map((a) => a.id)).toEqual(ADDONS.map((a) => a.id));
    const nginx = ADDONS.find((a) => a.id === "ingress-nginx")!;
    expect(c.addons.find((a) => a.id === nginx.id)!.defaultValues).toBe(defaultValuesYaml(nginx));
    expect(c.defaultAddons[NEWEST_VERSION]).toEqual(defaultAddons(NEWEST_VERSION));
    expect(c.defaultPolicies).toEqual(defaultPolicies());
    expect(c.templates.map((t) => t.kind)).toContain("K8sAllowedRepos");
    expect(c.templates.find((t) => t.kind === "K8sAllowedRepos")!.manifestYaml).toMatch(
      /^apiVersion: templates.gatekeeper.sh\/v1/,
    );
  });

  it("checks YAML on the server with the messages and lines the editors show", async () => {
    const u = await makeUser(db);
    const projectId = u.personalProjectId;
    const params = await u.caller.catalog.checkParameters({
      projectId,
      kind: "K8sAllowedRepos",
      parameters: "repos: registry.k8s.io/\n",
    });
    expect(params.issues).toEqual([
      { line: 1, path: "parameters.repos", message: "parameters.repos must be array" },
    ]);
    const ok = await u.caller.catalog.checkParameters({
      projectId,
      kind: "K8sAllowedRepos",
      parameters: "repos:\n  - ghcr.io/acme/\n",
    });
    expect(ok).toEqual({ value: { repos: ["ghcr.io/acme/"] }, issues: [] });
    // A kind from the cluster's own templates.
    const custom = await u.caller.catalog.checkParameters({
      projectId,
      kind: "K8sRequiredAnnotations",
      custom: [CUSTOM_TEMPLATE],
      parameters: "annotations: 3\n",
    });
    expect(custom.issues.map((i) => i.message)).toEqual(["parameters.annotations must be array"]);

    const nginx = ADDONS.find((a) => a.id === "ingress-nginx")!;
    const bad = "controller:\n  replicaCount: many\n";
    const values = await u.caller.catalog.checkAddonValues({ projectId, id: nginx.id, values: bad });
    expect(values.issues).toEqual(checkValues(nginx, bad).issues);
    expect(values.issues.length).toBeGreaterThan(0);
    const good = await u.caller.catalog.checkAddonValues({
      projectId,
      id: nginx.id,
      values: defaultValuesYaml(nginx),
    });
    expect(good.issues).toEqual([]);
    expect(good.resources!.loadBalancers.length).toBeGreaterThan(0);

    const broken = CUSTOM_TEMPLATE.replace("name: k8srequiredannotations", "name: wrong");
    expect(await u.caller.catalog.checkTemplate({ projectId, yaml: broken })).toEqual({
      kind: null,
      issues: parseTemplateYaml(broken).issues,
    });
    expect(await u.caller.catalog.checkTemplate({ projectId, yaml: CUSTOM_TEMPLATE })).toEqual({
      kind: "K8sRequiredAnnotations",
      issues: [],
    });
    const templates = await u.caller.catalog.templates({ projectId, custom: [CUSTOM_TEMPLATE] });
    expect(templates.find((t) => t.kind === "K8sRequiredAnnotations")?.source).toBe("custom");
  });

  it("checks a draft spec with cluster.create's schema, renders a constraint, and sizes nodes", async () => {
    const u = await makeUser(db);
    const projectId = u.personalProjectId;
    const bad = await u.caller.catalog.checkSpec({
      projectId,
      spec: { name: "Bad Name", podCidr: "10.0.0.0/16" },
    });
    expect(bad.spec).toBeNull();
    expect(bad.errors.name?.[0]).toMatch(/The cluster name may contain lowercase letters/);
    const good = await u.caller.catalog.checkSpec({
      projectId,
      spec: { name: "ok", topology: "single", masterCount: 1, masterFlavor: "STD2-2-4", nodeGroups: [] },
    });
    expect(good.errors).toEqual({});
    expect(good.spec).toMatchObject({ name: "ok", version: NEWEST_VERSION });
    // A name the project already uses is refused on the first step, not four steps later at Create;
    // the other fields' errors still show beside it.
    await u.caller.cluster.create({ projectId, spec: good.spec! });
    const dup = await u.caller.catalog.checkSpec({ projectId, spec: good.spec });
    expect(dup).toMatchObject({
      spec: null,
      errors: { name: ["A cluster named ok already exists in this project"] },
    });
    const dupAndBad = await u.caller.catalog.checkSpec({
      projectId,
      spec: { ...good.spec, podCidr: "nope" },
    });
    expect(Object.keys(dupAndBad.errors).sort()).toEqual(["name", "podCidr"]);
    // Another project may use it.
    const other = await makeUser(db);
    expect(
      (await other.caller.catalog.checkSpec({ projectId: other.personalProjectId, spec: good.spec })).errors,
    ).toEqual({});

    const yaml = await u.caller.catalog.constraintYaml({
      projectId,
      constraint: {
        name: "repos",
        kind: "K8sAllowedRepos",
        enforcementAction: "deny",
        enabled: true,
        parameters: { repos: ["ghcr.io/"] },
        match: { kinds: [{ apiGroups: [""], kinds: ["Pod"] }] },
      },
    });
    expect(yaml).toMatch(/enforcementAction: deny/);

    const f = (await u.caller.catalog.get({ projectId })).flavors[0]!;
    expect(await u.caller.catalog.allocatable({ projectId, flavor: f.name, diskGb: 80 })).toEqual(
      allocatable(f, 80),
    );
    expect(await u.caller.catalog.allocatable({ projectId, flavor: "NOPE-1-1", diskGb: 80 })).toBeNull();
    // No quota reading yet: nothing to exceed.
    expect((await u.caller.cloud.quotaCheck({ projectId, spec: good.spec! })).problems).toEqual([]);
  });
});
