import { randomBytes } from "node:crypto";
import { expect, test as base, type APIRequestContext, type Browser, type Page } from "@playwright/test";

export interface TestUser {
  name: string;
  email: string;
  password: string;
  personalProjectId: string;
}

/** Calls a tRPC mutation over HTTP the way the browser does (superjson envelope). */
export async function trpcMutation<T>(request: APIRequestContext, path: string, input: unknown): Promise<T> {
  const res = await request.post(`/api/trpc/${path}`, { data: { json: input } });
  const body = (await res.json()) as {
    result?: { data: { json: T } };
    error?: { json: { message: string } };
  };
  if (!res.ok() || !body.result)
    throw new Error(`${path} failed (${res.status()}): ${body.error?.json.message ?? "no body"}`);
  return body.result.data.json;
}

export async function signUpViaApi(request: APIRequestContext, name = "Test User"): Promise<TestUser> {
  const email = `e2e-${Date.now()}-${randomBytes(3).toString("hex")}@example.com`;
  const password = `pw-${randomBytes(6).toString("hex")}-Aa1`;
  const { personalProjectId } = await trpcMutation<{ personalProjectId: string }>(request, "auth.signUp", {
    name,
    email,
    password,
  });
  return { name, email, password, personalProjectId };
}

/** Signs in through next-auth's credentials endpoint; the session cookie lands in the page's context. */
export async function signInViaApi(page: Page, user: Pick<TestUser, "email" | "password">): Promise<void> {
  const csrf = (await (await page.request.get("/api/auth/csrf")).json()) as { csrfToken: string };
  const res = await page.request.post("/api/auth/callback/credentials", {
    form: {
      csrfToken: csrf.csrfToken,
      email: user.email,
      password: user.password,
      json: "true",
      callbackUrl: "/",
    },
  });
  expect(res.status(), "sign-in via API").toBe(200);
}

/** A page in a new browser context, signed in as `user`. */
export async function pageSignedInAs(
  browser: Browser,
  user: Pick<TestUser, "email" | "password">,
): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signInViaApi(page, user);
  return page;
}

/**
 * Signs up a new user, adds them to `projectId` with `role` (as the user of
 * `page`), and returns a page signed in as them, in its own browser context.
 */
export async function signInAsNewMember(
  page: Page,
  browser: Browser,
  {
    projectId,
    name,
    role,
  }: { projectId: string; name: string; role: "owner" | "admin" | "member" | "viewer" },
): Promise<Page> {
  const member = await signUpViaApi(page.request, name);
  await trpcMutation(page.request, "member.add", { projectId, email: member.email, role });
  return pageSignedInAs(browser, member);
}

/**
 * Waits until the worker has read the project's cloud catalog (a new project's first read is
 * asynchronous; until then cluster.create answers 412 "being read for the first time", and the
 * wizard shows that wait). Tests that create clusters through the API start after it.
 */
export async function waitForCatalog(request: APIRequestContext, projectId: string): Promise<void> {
  const input = encodeURIComponent(JSON.stringify({ json: { projectId } }));
  await expect
    .poll(
      async () => {
        const res = await request.get(`/api/trpc/catalog.get?input=${input}`);
        const body = (await res.json()) as { result?: { data: { json: { cloud: { ready: boolean } } } } };
        return body.result?.data.json.cloud.ready ?? false;
      },
      { message: "the project's cloud catalog is read", timeout: 60_000, intervals: [250, 500, 1000] },
    )
    .toBe(true);
}

/** A fresh user (with a personal project whose cloud catalog is read), already signed in, for each test. */
export const test = base.extend<{ user: TestUser }>({
  user: async ({ page }, provide) => {
    const user = await signUpViaApi(page.request, "Riley Chen");
    await signInViaApi(page, user);
    await waitForCatalog(page.request, user.personalProjectId);
    await provide(user);
  },
});

export { expect };
