import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parse } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { KUBEADM_CONFIG_PATH, PKI_FILES } from "@/server/contracts/node-config";
import {
  kubeletMaySetLabel,
  masterCloudConfig,
  parseKubeadmConfig,
  workerCloudConfig,
  type ControlPlaneMaterial,
  type MasterInput,
  type WorkerInput,
} from "./cloud-config";
import { caCertHash } from "@/server/contracts/kubeadm";
import { createCa, createServiceAccountKey } from "./pki";
import { newBootstrapToken } from "./store";

/**
 * Every user data the console renders, checked by the real validators:
 * cloud-init's own schema check (Debian's cloud-init; CI installs it),
 * kubeadm's v1beta4 documents by the kubeadm schemas, the certificates by
 * openssl, the CA pin computed the way kubeadm's documentation does it.
 */

const CLOUD_INIT = ["/usr/bin/cloud-init", "/usr/local/bin/cloud-init"].find((p) => existsSync(p));
const dir = mkdtempSync(path.join(tmpdir(), "kc-cloud-config-"));
// Without cloud-init a developer machine skips the schema check; CI must have it.
const schemaIt = CLOUD_INIT || process.env.CI ? it : it.skip;

let material: ControlPlaneMaterial;
let master: Omit<MasterInput, "mode">;
let worker: WorkerInput;
const NOW = new Date("2026-12-06T00:00:00Z");

beforeAll(async () => {
  const [ca, etcdCa, frontProxyCa, serviceAccount] = await Promise.all([
    createCa("kubernetes-ca prod"),
    createCa("etcd-ca prod"),
    createCa("kubernetes-front-proxy-ca prod"),
    createServiceAccountKey(),
  ]);
  material = { ca, etcdCa, frontProxyCa, serviceAccount };
  const base = {
    cluster: { id: "0d4c7a52-5bb0-4a57-9b55-0f5b4c0e7a11", name: "prod" },
    version: "1.32.4",
    endpoint: { host: "10.0.0.10", port: 6443 },
    caCertPem: ca.certPem,
    token: newBootstrapToken(NOW),
    now: NOW,
  };
  master = {
    ...base,
    nodeName: "prod-master-0",
    advertiseAddress: "10.0.0.5",
    certSANs: ["203.0.113.7", "10.0.0.10", "10.0.0.5", "10.254.0.1", "kubernetes", "kubernetes.default"],
    podCidr: "10.100.0.0/16",
    serviceCidr: "10.254.0.0/16",
    etcdVolumeId: "7a0f3c2e-91d4-4b8e-a6f1-2c9d8e7b6a50",
    material,
  };
  worker = {
    ...base,
    nodeName: "prod-workers-0",
    group: "workers",
    labels: { tier: "web", "node-role.kubernetes.io/web": "", "node.kubernetes.io/pool": "a" },
    taints: [{ key: "dedicated", value: "web", effect: "NoSchedule" }],
  };
});

const variants = () => ({
  "master-init": masterCloudConfig({ ...master, mode: "init" }),
  "master-join": masterCloudConfig({ ...master, mode: "join", nodeName: "prod-master-1" }),
  worker: workerCloudConfig(worker),
});

const filesOf = (userData: string) =>
  new Map(
    (parse(userData) as { write_files: Array<{ path: string; content: string }> }).write_files.map((f) => [
      f.path,
      f.content,
    ]),
  );

describe("node user data", () => {
  schemaIt("passes cloud-init's own schema check (cloud-init schema --config-file)", () => {
    for (const [name, text] of Object.entries(variants())) {
      const file = path.join(dir, `${name}.yaml`);
      writeFileSync(file, text);
      const r = spawnSync(CLOUD_INIT ?? "cloud-init", ["schema", "--config-file", file], {
        encoding: "utf8",
      });
      expect({ name, status: r.status, err: r.stderr.trim() }).toEqual({ name, status: 0, err: "" });
      expect(r.stdout).toContain("Valid cloud-config");
    }
  });

  schemaIt("the schema check is real: it refuses an unquoted mode and a file without a path", () => {
    const bad = path.join(dir, "bad.yaml");
    writeFileSync(bad, "#cloud-config\nwrite_files:\n- content: x\n  permissions: 0600\n");
    const r = spawnSync(CLOUD_INIT ?? "cloud-init", ["schema", "--config-file", bad], { encoding: "utf8" });
    expect(r.status).toBe(1);
  });

  it("carries kubeadm v1beta4 documents that pass the kubeadm schemas: init, control-plane join, worker join", () => {
    const v = variants();
    const kinds = (text: string) =>
      parseKubeadmConfig(filesOf(text).get(KUBEADM_CONFIG_PATH)!).map((d) => d.kind);
    expect(kinds(v["master-init"])).toEqual([
      "InitConfiguration",
      "ClusterConfiguration",
      "KubeletConfiguration",
    ]);
    expect(kinds(v["master-join"])).toEqual(["JoinConfiguration"]);
    expect(kinds(v.worker)).toEqual(["JoinConfiguration"]);
    const [init, cluster] = parseKubeadmConfig(filesOf(v["master-init"]).get(KUBEADM_CONFIG_PATH)!);
    expect(cluster).toMatchObject({
      kubernetesVersion: "v1.32.4",
      controlPlaneEndpoint: "10.0.0.10:6443",
      networking: { podSubnet: "10.100.0.0/16", serviceSubnet: "10.254.0.0/16" },
      etcd: { local: { dataDir: "/var/lib/etcd/data" } },
    });
    expect(init).toMatchObject({ nodeRegistration: { name: "prod-master-0" } });
    expect(v["master-init"]).toContain("- kubeadm\n    - init");
    // The etcd volume is mounted before kubeadm, by its Cinder id's first 20 characters.
    expect(v["master-init"]).toContain("7a0f3c2e-91d4-4b8e-a");
  });

  it("gives workers no private key: a bootstrap token and the CA's public-key pin only", () => {
    const w = variants().worker;
    expect(w).not.toContain("PRIVATE KEY");
    const [join] = parseKubeadmConfig(filesOf(w).get(KUBEADM_CONFIG_PATH)!);
    expect(join).toMatchObject({
      discovery: {
        bootstrapToken: {
          apiServerEndpoint: "10.0.0.10:6443",
          caCertHashes: [caCertHash(material.ca.certPem)],
          token: `${worker.token.id}.${worker.token.secret}`,
        },
      },
      nodeRegistration: { taints: [{ key: "dedicated", value: "web", effect: "NoSchedule" }] },
    });
    const labels = JSON.stringify(join);
    expect(labels).toContain("tier=web");
    expect(labels).toContain("kube-console.io/node-group=workers");
    // The kubelet may not set node-role.kubernetes.io labels itself (NodeRestriction): not passed.
    expect(labels).not.toContain("node-role.kubernetes.io/web");
    expect(labels).toContain("node.kubernetes.io/pool=a");
  });

  it("stays well under Nova's 65,535-character user-data limit (base64)", () => {
    for (const [name, text] of Object.entries(variants())) {
      const size = Buffer.from(text).toString("base64").length;
      console.log(`[user-data] ${name}: ${text.length} bytes, ${size} base64 characters of 65,535`);
      expect(size).toBeLessThan(32_768);
    }
  });

  it("pins the CA exactly as kubeadm's docs compute it (openssl: SPKI DER, sha256)", () => {
    const pem = path.join(dir, "ca.crt");
    writeFileSync(pem, material.ca.certPem);
    const pub = execFileSync("openssl", ["x509", "-pubkey", "-noout", "-in", pem]);
    const der = execFileSync("openssl", ["pkey", "-pubin", "-outform", "der"], { input: pub });
    const hex = execFileSync("openssl", ["dgst", "-sha256", "-hex"], { input: der })
      .toString()
      .split("= ")[1]!
      .trim();
    expect(caCertHash(material.ca.certPem)).toBe(`sha256:${hex}`);
  });

  it("places CAs openssl accepts (self-signed, CA:TRUE, keyCertSign) and a service-account pair that matches", () => {
    const files = filesOf(variants()["master-init"]);
    for (const [cert, key] of [
      [PKI_FILES.caCert, PKI_FILES.caKey],
      [PKI_FILES.etcdCaCert, PKI_FILES.etcdCaKey],
      [PKI_FILES.frontProxyCaCert, PKI_FILES.frontProxyCaKey],
    ] as const) {
      const c = path.join(dir, path.basename(cert));
      writeFileSync(c, files.get(cert)!);
      expect(execFileSync("openssl", ["verify", "-CAfile", c, c]).toString()).toContain(": OK");
      const text = execFileSync("openssl", ["x509", "-text", "-noout", "-in", c]).toString();
      expect(text).toContain("CA:TRUE");
      expect(text).toContain("Certificate Sign");
      const k = path.join(dir, path.basename(key));
      writeFileSync(k, files.get(key)!);
      const fromKey = execFileSync("openssl", ["pkey", "-in", k, "-pubout"]).toString();
      const fromCert = execFileSync("openssl", ["x509", "-pubkey", "-noout", "-in", c]).toString();
      expect(fromKey).toBe(fromCert);
    }
    const sa = path.join(dir, "sa.key");
    writeFileSync(sa, files.get(PKI_FILES.saKey)!);
    expect(execFileSync("openssl", ["pkey", "-in", sa, "-pubout"]).toString().trim()).toBe(
      files.get(PKI_FILES.saPub)!.trim(),
    );
  });

  it("passes only labels the kubelet may set on itself", () => {
    expect(kubeletMaySetLabel("tier")).toBe(true);
    expect(kubeletMaySetLabel("example.com/team")).toBe(true);
    expect(kubeletMaySetLabel("node.kubernetes.io/pool")).toBe(true);
    expect(kubeletMaySetLabel("topology.kubernetes.io/zone")).toBe(true);
    expect(kubeletMaySetLabel("node-role.kubernetes.io/web")).toBe(false);
    expect(kubeletMaySetLabel("kubernetes.io/role")).toBe(false);
    expect(kubeletMaySetLabel("x.k8s.io/y")).toBe(false);
  });
});
