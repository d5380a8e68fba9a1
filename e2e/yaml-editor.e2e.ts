import { expect, test } from "./fixtures";

/**
 * The YAML editor (CodeMirror 6): errors pointed at their lines, completion
 * of keys from the addon's values schema (Ctrl-Space and while typing),
 * value choices, help on hover, and a jump from an error to its line.
 */
test("addon values: line-pointed errors, schema completion and hover", async ({ page, user }) => {
  await page.goto(`/projects/${user.personalProjectId}/clusters/new`);
  await page
    .getByRole("navigation", { name: "Wizard steps" })
    .getByRole("button", { name: "Addons & policies" })
    .click();
  await page.getByLabel(/Ingress NGINX/).check();
  await page.getByRole("button", { name: "Version and values" }).first().click();
  const editor = page.getByLabel("Values for Ingress NGINX");
  await expect(editor).toHaveAttribute("contenteditable", "true");

  // A value out of range: the error names its line, and that line is marked in the editor.
  await editor.fill(
    [
      "controller:",
      "  replicaCount: 20",
      "  ingressClass: nginx",
      "  proxyProtocol: true",
      "  service:",
      "    public: true",
      "    nodePorts:",
      "      http: 30080",
      "      https: 30443",
      "  ",
    ].join("\n"),
  );
  const error = page.getByRole("button", { name: /^Line 2: .*replicaCount/ });
  await expect(error).toBeVisible();
  await expect(page.locator("[data-yaml-editor] .cm-lintRange-error")).toContainText("replicaCount: 20");
  await expect(editor).toHaveAttribute("aria-invalid", "true");

  // Ctrl-Space on the empty line under controller offers the key not yet written, with its type.
  await editor.press("End");
  await page.keyboard.press("Control+End");
  await page.keyboard.press("Control+Space");
  const options = page.getByRole("listbox");
  await expect(options.getByRole("option", { name: /resources/ })).toBeVisible();
  await expect(options.getByRole("option")).toHaveCount(1); // the other keys are already there
  await page.keyboard.press("Enter");
  // Typing a nested key suggests it from the schema as you type.
  await page.keyboard.type("cpu");
  await expect(options.getByRole("option", { name: /cpuMilli/ })).toBeVisible();
  await page.keyboard.press("Enter");
  await page.keyboard.type("100");
  await expect(editor).toContainText("resources:");
  await expect(editor).toContainText("cpuMilli: 100");

  // A boolean value is offered as true/false.
  await page.keyboard.press("Enter");
  await page.keyboard.press("Home");
  await page.keyboard.press("Shift+End");
  await page.keyboard.type("  proxyProtocol: ");
  await page.keyboard.press("Control+Space");
  await expect(options.getByRole("option", { name: "false" })).toBeVisible();
  await page.keyboard.press("Escape");
  // (the duplicate key just typed is an error the server's check names)
  await page.keyboard.press("Shift+Home");
  await page.keyboard.press("Backspace");

  // Hover on a key shows its path, type and description.
  await page.locator("[data-yaml-editor] .cm-line", { hasText: "public: true" }).getByText("public").hover();
  await expect(page.locator(".kc-hover")).toContainText("controller.service.public: boolean");
  await expect(page.locator(".kc-hover")).toContainText("Give the load balancer a floating IP");

  // The error jumps to its line; typing over it fixes it.
  await error.click();
  await page.keyboard.type("  replicaCount: 3");
  await expect(error).toBeHidden();
  await expect(page.getByRole("button", { name: /^Line \d+:/ })).toHaveCount(0);
  await expect(editor).toHaveAttribute("aria-invalid", "false");
});
