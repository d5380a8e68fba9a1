import { withEmulatorDefaults } from "@/server/testing/specs";
import { describe, expect, it } from "vitest";
import { CUSTOM_TEMPLATE } from "@/server/testing/policies";
import { CheckedClusterSpec as ClusterSpec } from "./cluster-spec-check";
import { ADDONS, addonResources, checkAddons, checkValues, defaultAddons, defaultValuesYaml } from "./addons";
import {
  checkParameters,
  checkPolicies,
  constraintManifest,
  defaultPolicies,
  LIBRARY_TEMPLATES,
  manifestYaml,
  parseTemplateYaml,
} from "./policies";
import { schemaError } from "./schema-check";
import { addonsBlockingUpgrade, readinessReport } from "./upgrade-readiness";
import { ALL_VERSIONS } from "./versions";

describe("addon catalog", () => {
  it("has the addons the product promises", () => {
    expect(ADDONS.map((a) => a.id)).toEqual(
      expect.arrayContaining([
        "ingress-nginx",
        "cert-manager",
        "kube-prometheus-stack",
        "docker-registry",
        "velero",
        "metrics-server",
      ]),
    );
  });

  for (const a of ADDONS) {
    it(`${a.id}: schema compiles, defaults are valid, resources resolve`, () => {
      expect(schemaError(a.valuesSchema)).toBeNull();
      expect(checkValues(a, defaultValuesYaml(a)).issues).toEqual([]);
      const { loadBalancers, volumes } = addonResources(a, a.defaultValues);
      for (const lb of loadBalancers)
        for (const l of lb.listeners) expect(l.nodePort).toBeGreaterThanOrEqual(30000);
      for (const v of volumes) expect(v.sizeGb).toBeGreaterThan(0);
      // Every version names a valid range, and one version runs on the newest Kubernetes.
      for (const v of a.versions)
        expect(Number(v.kubernetes.min.split(".")[1])).toBeLessThanOrEqual(
          Number(v.kubernetes.max.split(".")[1]),
        );
    });
  }

  it("errors point at the line of the value", () => {
    const nginx = ADDONS.find((a) => a.id === "ingress-nginx")!;
    const text = defaultValuesYaml(nginx)
      .replace("http: 30080", "http: 80")
      .replace("replicaCount: 2", "replicaCount: two");
    const issues = checkValues(nginx, text).issues;
    const lines = text.split("\n");
    const at = (path: string) => issues.find((i) => i.path === path)!;
    expect(lines[at("controller.replicaCount").line! - 1]).toContain("replicaCount: two");
    expect(at("controller.replicaCount").message).toBe("controller.replicaCount must be integer");
    expect(lines[at("controller.service.nodePorts.http").line! - 1]).toContain("http: 80");
    expect(
      checkValues(nginx, "controller:\n  bogus: 1\n").issues.find((i) => i.path === "controller.bogus")?.line,
    ).toBe(2);
  });

  it("the default spec (system addons, pre-configured policies) is valid on every offered version", () => {
    for (const v of ALL_VERSIONS) {
      const r = ClusterSpec.safeParse(
        withEmulatorDefaults({
          name: "c",
          version: v,
          topology: "single",
          masterCount: 1,
          masterFlavor: "x",
          addons: defaultAddons(v),
        }),
      );
      expect(r.success ? [] : r.error.issues.map((i) => i.message)).toEqual([]);
    }
    expect(checkAddons([], "1.36.1").map((i) => i.message)).toEqual([
      "metrics-server is a system addon and cannot be removed",
    ]);
  });
});

describe("addons and cluster upgrades", () => {
  it("an addon that does not run on the target blocks the upgrade, naming the version to move to first", () => {
    const nginx = ADDONS.find((a) => a.id === "ingress-nginx")!;
    const spec = ClusterSpec.parse(
      withEmulatorDefaults({
        name: "c",
        version: "1.34.6",
        topology: "single",
        masterCount: 1,
        masterFlavor: "STD2-2-4",
        addons: [
          ...defaultAddons("1.34.6"),
          { id: "ingress-nginx", version: "4.12.7", values: defaultValuesYaml(nginx) },
        ],
      }),
    );
    expect(addonsBlockingUpgrade(spec, "1.35.1")).toEqual([
      { id: "ingress-nginx", name: "Ingress NGINX", version: "4.12.7", fix: "4.13.3" },
    ]);
    const report = readinessReport({
      spec,
      target: "1.35.1",
      workload: null,
      quota: null,
      flavors: [],
      now: new Date("2026-09-01T00:00:00Z"),
    })!;
    const f = report.findings.find((x) => x.id === "addon:ingress-nginx")!;
    expect(f).toMatchObject({
      severity: "blocking",
      title: "Ingress NGINX 4.12.7 does not support Kubernetes 1.35",
    });
    expect(f.detail).toMatch(/Upgrade it to 4\.13\.3 on the Addons tab first/);
    expect(report.findings.find((x) => x.id === "addons")?.detail).toMatch(/metrics-server 3\.13\.0/);
  });
});

describe("policy library", () => {
  for (const t of LIBRARY_TEMPLATES) {
    it(`${t.kind}: its manifest is a valid ConstraintTemplate and its example parameters pass`, () => {
      const parsed = parseTemplateYaml(manifestYaml(t.manifest));
      expect(parsed.issues).toEqual([]);
      expect(parsed.template?.kind).toBe(t.kind);
      expect(checkParameters(t, t.exampleParameters)).toEqual([]);
    });
  }

  it("pre-configured constraints are valid and cover the pod-security family", () => {
    const p = defaultPolicies();
    expect(checkPolicies(p, "1.36.1")).toEqual([]);
    const kinds = new Set(p.constraints.map((c) => c.kind));
    for (const k of [
      "K8sPSPPrivilegedContainer",
      "K8sPSPHostNamespace",
      "K8sPSPHostNetworkingPorts",
      "K8sPSPHostFilesystem",
      "K8sPSPAllowPrivilegeEscalationContainer",
      "K8sPSPProcMount",
      "K8sPSPCapabilities",
      "K8sPSPAppArmor",
      "K8sPSPSELinuxV2",
      "K8sPSPSeccomp",
      "K8sPSPReadOnlyRootFilesystem",
      "K8sBlockNodePort",
    ])
      expect(kinds.has(k)).toBe(true);
    expect(manifestYaml(constraintManifest(p.constraints[0]!))).toContain("enforcementAction: deny");
  });

  it("parameters are rejected with a message naming the field", () => {
    const repos = LIBRARY_TEMPLATES.find((t) => t.kind === "K8sAllowedRepos")!;
    expect(checkParameters(repos, { repos: [1] }).map((i) => i.message)).toEqual([
      "parameters.repos[0] must be string",
    ]);
    expect(checkParameters(repos, { repo: ["x"] }).map((i) => i.message)).toEqual([
      "parameters.repos is required",
      "parameters.repo is not a known field here",
    ]);
    const limits = LIBRARY_TEMPLATES.find((t) => t.kind === "K8sContainerLimits")!;
    expect(checkParameters(limits, { cpu: "lots", memory: "1Gi" })[0]?.message).toMatch(
      /^parameters\.cpu has an invalid format/,
    );
  });

  it("custom templates are checked for structure with precise errors", () => {
    expect(parseTemplateYaml(CUSTOM_TEMPLATE).issues).toEqual([]);
    const msgs = (yaml: string) => parseTemplateYaml(yaml).issues.map((i) => `${i.line}: ${i.message}`);
    expect(msgs(CUSTOM_TEMPLATE.replace("kind: ConstraintTemplate", "kind: Template"))).toEqual([
      '2: kind: must be ConstraintTemplate (found "Template")',
    ]);
    expect(msgs(CUSTOM_TEMPLATE.replace("admission.k8s.gatekeeper.sh", "audit.example"))).toEqual([
      '21: spec.targets[0].target: must be admission.k8s.gatekeeper.sh (found "audit.example")',
    ]);
    expect(msgs(CUSTOM_TEMPLATE.replace("violation[", "deny["))).toEqual([
      '22: spec.targets[0].rego: must define a violation[{"msg": msg}] rule',
    ]);
    expect(msgs(CUSTOM_TEMPLATE.replace("type: array", "type: lists"))[0]).toMatch(
      /^14: spec\.crd\.spec\.validation\.openAPIV3Schema: is not a valid schema/,
    );
    expect(msgs("a: [")[0]).toMatch(/YAML syntax/);
  });
});
