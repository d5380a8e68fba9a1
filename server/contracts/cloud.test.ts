import { describe, expect, it } from "vitest";
import { SetCloudBindingInput } from "./cloud";
import { fieldErrorsFromIssues } from "./field-errors";

const projectId = "00000000-0000-4000-8000-000000000001";
const base = { projectId, authUrl: "https://keystone.example.com:5000/v3", region: "RegionOne" };

/** The field errors the credential form shows for an input. */
function errorsOf(input: unknown): Record<string, string[]> {
  const r = SetCloudBindingInput.safeParse(input);
  return r.success ? {} : fieldErrorsFromIssues(r.error.issues);
}

describe("cloud credential messages", () => {
  it("name the empty field in words a person reads, one message per field", () => {
    expect(
      errorsOf({
        ...base,
        region: " ",
        auth: { type: "application_credential", applicationCredentialId: "  ", secret: "" },
      }),
    ).toEqual({
      region: ["Enter the region, e.g. RegionOne"],
      "auth.applicationCredentialId": ["Enter the application credential ID"],
      "auth.secret": ["Enter the application credential secret"],
    });
    expect(
      errorsOf({
        ...base,
        auth: { type: "password", username: "", userDomainName: "", projectDomainName: "", secret: "x" },
      }),
    ).toEqual({
      "auth.username": ["Enter the username"],
      "auth.userDomainName": ["Enter the user domain (usually Default)"],
      "auth.projectDomainName": ["Enter the project domain (usually Default)"],
    });
  });

  it("say how long a value may be, and which kinds of sign-in there are", () => {
    expect(
      errorsOf({
        ...base,
        auth: { type: "application_credential", applicationCredentialId: "x".repeat(129) },
      }),
    ).toEqual({
      "auth.applicationCredentialId": ["The application credential ID is too long: at most 128 characters"],
    });
    expect(errorsOf({ ...base, interface: "private", auth: { type: "token" } })).toEqual({
      interface: ["Choose the public, internal or admin interface"],
      "auth.type": ["Choose how to sign in: an application credential, or a username and password"],
    });
  });

  it("give an empty or malformed auth URL one message, not every rule it breaks", () => {
    for (const authUrl of ["", "keystone"])
      expect(
        errorsOf({
          ...base,
          authUrl,
          auth: { type: "application_credential", applicationCredentialId: "a" },
        }),
      ).toEqual({ authUrl: ["Enter the Keystone URL, e.g. https://keystone.example.com:5000/v3"] });
  });

  it("never show zod's own wording", () => {
    const all = Object.values(
      errorsOf({ ...base, authUrl: "", region: "", auth: { type: "password", username: "" } }),
    ).flat();
    expect(all.length).toBeGreaterThan(0);
    for (const m of all) expect(m).not.toMatch(/Too small|Too big|expected|Invalid input/);
  });
});
