import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test, trpcMutation } from "./fixtures";

test.setTimeout(300_000);

/**
 * What a cluster makes for itself, as a user sees it: kubectl creates a
 * LoadBalancer Service and a claim (mounted by a Deployment); the cluster's
 * cloud controller and Cinder CSI make an Octavia load balancer and a
 * volume; the cluster page lists both with their price, and the delete
 * dialog offers to keep the volume.
 */
test("a LoadBalancer Service and a claim made with kubectl show on the cluster page, priced, with the keep-volumes choice on delete", async ({
  page,
  user,
}) => {
  const cluster = await trpcMutation<{ id: string }>(page.request, "cluster.create", {
    projectId: user.personalProjectId,
    spec: {
      name: "made",
      topology: "single",
      masterCount: 1,
      masterFlavor: "STD2-2-4",
      nodeGroups: [
        { name: "workers", flavor: "STD2-4-8", zone: "ru-msk-a", scaling: { mode: "fixed", size: 1 } },
      ],
    },
  });
  await page.goto(`/projects/${user.personalProjectId}/clusters/${cluster.id}`);
  await expect(page.getByRole("heading", { name: "made", exact: true })).toBeVisible();
  const card = page.getByTestId("made-by-cluster");
  await expect(card).toContainText("Nothing yet", { timeout: 180_000 });

  // The kubeconfig the page gives, and kubectl.
  await page.getByRole("button", { name: "Kubeconfig" }).click();
  const dialog = page.getByRole("dialog");
  const downloading = page.waitForEvent("download");
  await dialog.getByRole("button", { name: "Download" }).click();
  const dir = mkdtempSync(path.join(os.tmpdir(), "e2e-made-"));
  const file = path.join(dir, "made.yaml");
  await (await downloading).saveAs(file);
  await page.keyboard.press("Escape");
  const kubectl = (...args: string[]) =>
    execFileSync(
      "/usr/bin/kubectl",
      ["--kubeconfig", file, "--cache-dir", path.join(dir, "cache"), ...args],
      {
        encoding: "utf8",
      },
    );
  const manifest = (name: string, obj: unknown) => {
    const f = path.join(dir, `${name}.json`);
    writeFileSync(f, JSON.stringify(obj));
    return f;
  };
  kubectl(
    "create",
    "--validate=false",
    "-f",
    manifest("svc", {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "shop", namespace: "default" },
      spec: { type: "LoadBalancer", selector: { app: "shop" }, ports: [{ port: 80, targetPort: 8080 }] },
    }),
  );
  kubectl(
    "create",
    "--validate=false",
    "-f",
    manifest("pvc", {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: { name: "data", namespace: "default" },
      spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "5Gi" } } },
    }),
  );
  kubectl(
    "apply",
    "--server-side",
    "--validate=false",
    "-f",
    manifest("db", {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "db", namespace: "default" },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "db" } },
        template: {
          metadata: { labels: { app: "db" } },
          spec: {
            containers: [{ name: "db", image: "registry.example/db:1" }],
            volumes: [{ name: "data", persistentVolumeClaim: { claimName: "data" } }],
          },
        },
      },
    }),
  );

  // The card lists the load balancer with its address and the volume with its claim, and prices them.
  const lbRow = card.getByRole("row").filter({ hasText: "default/shop" });
  // Octavia takes a while to build the LB; the card follows its provisioning status.
  await expect(lbRow).toContainText("ACTIVE", { timeout: 180_000 });
  const volumeRow = card.getByRole("row").filter({ hasText: "default/data" });
  await expect(volumeRow).toContainText("5 GB");
  await expect(volumeRow).toContainText("in-use", { timeout: 60_000 });
  await expect(page.getByTestId("made-by-cluster-price")).toContainText("per month");
  // The cloud controller publishes the floating IP on the Service; the card shows the same address.
  let ip = "";
  await expect
    .poll(
      () => {
        const svc = JSON.parse(kubectl("get", "service", "shop", "-o", "json")) as {
          status?: { loadBalancer?: { ingress?: Array<{ ip?: string }> } };
        };
        ip = svc.status?.loadBalancer?.ingress?.[0]?.ip ?? "";
        return ip;
      },
      { timeout: 120_000, message: "the Service's load balancer ingress address" },
    )
    .not.toBe("");
  await expect(lbRow).toContainText(ip, { timeout: 60_000 });
  await expect(lbRow).not.toContainText("no public address");

  // Deleting: the dialog says what goes, and offers to keep the claim's volume.
  await page.getByRole("button", { name: "Delete", exact: true }).click();
  const del = page.getByRole("dialog");
  await expect(del.getByTestId("delete-made-by-cluster")).toContainText("Deleted: 1 Service load balancer");
  const keep = del.getByRole("checkbox", { name: "Keep the volume made for a PersistentVolumeClaim (5 GB)" });
  await expect(keep).not.toBeChecked();
  await keep.check();
  await expect(del.getByTestId("delete-made-by-cluster")).toContainText(
    "Kept in the project: 1 claim volume",
  );
  await del.getByLabel("Type made to confirm").fill("made");
  await del.getByRole("button", { name: "Delete cluster" }).click();
  // Deleting, or — the emulated cloud is quick — already gone by the time the list shows.
  await expect(
    page
      .getByRole("row")
      .filter({ hasText: "Deleting" })
      .first()
      .or(page.getByRole("heading", { name: "No clusters yet" })),
  ).toBeVisible({ timeout: 60_000 });

  await page.goto(`/projects/${user.personalProjectId}/audit`);
  await expect(page.getByRole("row").filter({ hasText: "cluster.delete" }).first()).toBeVisible();
});
