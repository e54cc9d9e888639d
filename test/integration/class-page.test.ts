import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type InProcessApi, startInProcessApi } from "../support/in-process-api";
import { tokenOf } from "../support/platform";

const ORIGIN = "http://localhost";
const PAGE = "/v1/tenants/class-a/page";

/** The teacher's page over `app.request()`: who sees it, the sign-in cookie, and the headers it goes with. */
describe("the teacher's class page, in process", () => {
  let api: InProcessApi;
  let teacherA: string;
  let teacherB: string;
  let studentToken: string;

  const request = (path: string, init: RequestInit = {}) => api.app.request(path, init);
  const withCookie = (cookie: string) => ({ headers: { cookie } });
  const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
  const login = (
    token: string,
    path = `${PAGE}/login`,
    headers: Record<string, string> = { origin: ORIGIN },
  ) =>
    request(path, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams({ token }).toString(),
    });
  /** The cookie a sign-in set, as a browser sends it back: `name=value`. */
  const cookieOf = (res: Response) => (res.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  /** Whether an answer shows anything of class A's students. */
  const showsStudents = (text: string) => /alice|bob|data-student/.test(text);

  beforeAll(async () => {
    api = await startInProcessApi();
    const admin = api.as(api.adminToken);
    const a = await admin("POST", "/v1/tenants", { name: "class-a" });
    teacherA = ((await a.json()) as { teacherToken: string }).teacherToken;
    const b = await admin("POST", "/v1/tenants", { name: "class-b" });
    teacherB = ((await b.json()) as { teacherToken: string }).teacherToken;
    const roster = await api.as(teacherA)("POST", "/v1/tenants/class-a/students", {
      students: ["alice", "bob"],
    });
    expect(roster.status).toBe(200);
    studentToken = tokenOf(
      ((await roster.json()) as { items: { kubeconfig: string }[] }).items[0]?.kubeconfig ?? "",
    );
    expect(studentToken).not.toBe("");
  });
  afterAll(async () => {
    await api?.close();
  });

  it("shows a sign-in form, and nothing of the class, without a token", async () => {
    const res = await request(PAGE);
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const text = await res.text();
    expect(text).toContain(`<form method="post" action="${PAGE}/login">`);
    expect(showsStudents(text)).toBe(false);
    expect((await request(`${PAGE}/board`)).status).toBe(401);
  });

  it("renders the class for its teacher's bearer token, with a strict policy and the nonce it names", async () => {
    const res = await request(PAGE, bearer(teacherA));
    expect(res.status).toBe(200);
    const csp = res.headers.get("content-security-policy") ?? "";
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(csp).not.toContain("unsafe");
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    const text = await res.text();
    expect(text).toContain(`<script nonce="${nonce}">`);
    expect(text).toContain(`<style nonce="${nonce}">`);
    expect(text).toMatch(/<article class="tile ok" data-student="alice" data-state="ok">/);
    expect(text).toMatch(/<article class="tile ok" data-student="bob" data-state="ok">/);
    expect(text).toContain(`data-src="${PAGE}/board"`);
    // a new nonce for every answer
    const again = (await request(PAGE, bearer(teacherA))).headers.get("content-security-policy");
    expect(again).not.toBe(csp);
    // the admin sees any class; a class that does not exist is said so to the admin alone
    expect((await request(PAGE, bearer(api.adminToken))).status).toBe(200);
    const missing = await request("/v1/tenants/nope/page", bearer(api.adminToken));
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain("There is no class nope.");
  });

  it("refuses another class's teacher and a student's cluster token, showing nothing of the class", async () => {
    for (const token of [teacherB, studentToken, "tmt_forged"]) {
      const res = await request(PAGE, bearer(token));
      expect(res.status, token).toBe(403);
      const text = await res.text();
      expect(showsStudents(text), token).toBe(false);
      expect(text).toContain("This token does not open class class-a.");
      const board = await request(`${PAGE}/board`, bearer(token));
      expect(board.status).toBe(403);
      expect(showsStudents(await board.text())).toBe(false);
    }
    // whether the class exists or not
    expect((await request("/v1/tenants/nope/page", bearer(teacherB))).status).toBe(403);
  });

  it("signs a teacher in with the token in a form post: an HttpOnly, SameSite=Strict cookie for this page alone", async () => {
    const refused = await login(teacherB);
    expect(refused.status).toBe(403);
    expect(refused.headers.get("set-cookie")).toBeNull();
    expect(showsStudents(await refused.text())).toBe(false);
    const empty = await login("");
    expect(empty.status).toBe(401);
    expect(await empty.text()).toContain("Enter the class&#39;s teacher token.");

    const res = await login(teacherA);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(PAGE);
    const setCookie = res.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/^timonier_class=[0-9a-f]{64}\.\d+\.[\w-]{43}; /);
    expect(setCookie).toContain(`Path=${PAGE}`);
    expect(setCookie).toContain("HttpOnly");
    expect(setCookie).toContain("SameSite=Strict");
    expect(setCookie).toMatch(/Max-Age=\d+/);
    expect(setCookie).not.toContain(teacherA);
    const cookie = cookieOf(res);

    const page = await request(PAGE, withCookie(cookie));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('data-student="alice"');
    const board = await request(`${PAGE}/board`, withCookie(cookie));
    expect(board.status).toBe(200);
    const fragment = await board.text();
    expect(fragment).toContain('data-student="bob"');
    expect(fragment).not.toContain("<html");

    // the cookie opens this page and nothing else: not another class's page, not the JSON API
    expect((await request("/v1/tenants/class-b/page", withCookie(cookie))).status).toBe(401);
    expect((await request("/v1/tenants/class-a/overview", withCookie(cookie))).status).toBe(401);
    expect((await request("/v1/tenants/class-a", withCookie(cookie))).status).toBe(401);
  });

  it("refuses a sign-in posted from another site", async () => {
    const crossSite: Record<string, string>[] = [
      { origin: "https://evil.example" },
      { "sec-fetch-site": "cross-site" },
      { origin: "null" },
    ];
    for (const headers of crossSite) {
      const res = await login(teacherA, `${PAGE}/login`, headers);
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(res.headers.get("set-cookie")).toBeNull();
    }
    expect((await login(teacherA, `${PAGE}/login`, { "sec-fetch-site": "same-origin" })).status).toBe(303);
  });

  it("ends a sign-in when the token is rotated, and on sign-out", async () => {
    const cookie = cookieOf(await login(teacherA));
    expect((await request(PAGE, withCookie(cookie))).status).toBe(200);
    const out = await request(`${PAGE}/logout`, { method: "POST", headers: { origin: ORIGIN, cookie } });
    expect(out.status).toBe(303);
    expect(out.headers.get("set-cookie")).toMatch(
      /^timonier_class=; Max-Age=0; Path=\/v1\/tenants\/class-a\/page/,
    );

    const rotated = await api.as(teacherA)("POST", "/v1/tenants/class-a/token");
    const fresh = ((await rotated.json()) as { teacherToken: string }).teacherToken;
    const res = await request(PAGE, withCookie(cookie));
    expect(res.status).toBe(401);
    expect(showsStudents(await res.text())).toBe(false);
    expect(res.headers.get("set-cookie")).toMatch(/^timonier_class=; Max-Age=0/);
    expect((await request(`${PAGE}/board`, withCookie(cookie))).status).toBe(401);
    expect((await login(teacherA)).status).toBe(403);
    expect((await login(fresh)).status).toBe(303);
    teacherA = fresh;
  });
});
