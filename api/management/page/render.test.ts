import { describe, expect, it } from "vitest";
import type { ClassCheckResults, ClassOverview, StudentOverview } from "../tenants/class-state";
import {
  budgetBars,
  COLOURS,
  contentSecurityPolicy,
  podsLine,
  renderBoard,
  renderLogin,
  renderPage,
  tileOf,
  timeAgo,
} from "./render";

const now = new Date("2026-03-02T10:00:00Z");
const budget = { memory: "8Gi", cpu: "4", pods: "20", storage: "64Mi" };
const idle = { memory: "0", cpu: "0", pods: "0", storage: "1Mi" };

function student(name: string, extra: Partial<StudentOverview> = {}): StudentOverview {
  return {
    student: name,
    clusterId: "00000000-0000-4000-8000-000000000000",
    phase: "Active",
    lastActivity: "2026-03-02T09:58:00Z",
    pods: {},
    failing: [],
    budget,
    usage: idle,
    ...extra,
  };
}

const noChecks: ClassCheckResults = { checks: [], students: [] };
const board = (students: StudentOverview[], checks = noChecks) =>
  renderBoard({ tenant: "k8s-101", students }, checks, now).toString();

/** The tiles of a board: student and state, in the page's order. */
const tiles = (page: string) =>
  [...page.matchAll(/<article class="tile (\w+)" data-student="([^"]*)" data-state="(\w+)">/g)].map((m) => ({
    student: m[2],
    className: m[1],
    state: m[3],
  }));

describe("the class page's tiles: a colour for each state", () => {
  it("is red with the reason as the headline when a pod fails, naming the pod and the kubelet's words", () => {
    const t = tileOf(
      student("bob", {
        pods: { Running: 1 },
        failing: [
          { namespace: "default", pod: "crash", reason: "CrashLoopBackOff", message: "back-off 40s" },
          { namespace: "web", pod: "hog", reason: "OOMKilled" },
        ],
      }),
    );
    expect(t).toEqual({
      state: "failing",
      headline: "CrashLoopBackOff",
      detail: ["pod crash", "back-off 40s", "+1 more: hog OOMKilled"],
    });
    expect(
      tileOf(student("x", { failing: [{ namespace: "web", pod: "p", reason: "Evicted" }] })).detail,
    ).toEqual(["pod p in web"]);
  });

  it("is amber while pods are pending or the cluster is not active yet, green when all run", () => {
    expect(tileOf(student("a", { pods: { Running: 2, Pending: 1 } }))).toMatchObject({
      state: "progressing",
      headline: "1 Pending",
    });
    expect(tileOf(student("a", { phase: "Provisioning" }))).toMatchObject({
      state: "progressing",
      headline: "Provisioning",
    });
    expect(tileOf(student("a", { pods: { Running: 3, Succeeded: 2 } }))).toMatchObject({
      state: "ok",
      headline: "Running",
    });
    expect(tileOf(student("a"))).toMatchObject({ state: "ok", headline: "No pods yet" });
  });

  it("is grey while the cluster sleeps or is torn down, whatever its pods", () => {
    const failing = [{ namespace: "default", pod: "p", reason: "CrashLoopBackOff" }];
    expect(tileOf(student("a", { phase: "Terminating", failing })).state).toBe("terminating");
    expect(tileOf(student("a", { phase: "Asleep", failing })).state).toBe("asleep");
    expect(COLOURS.asleep).toBe(COLOURS.terminating);
  });

  it("renders each tile with its state as class and data attribute, sorted by name", () => {
    const page = board([
      student("carol", { pods: { Pending: 1 } }),
      student("alice", { pods: { Running: 1 } }),
      student("bob", { failing: [{ namespace: "default", pod: "c", reason: "CrashLoopBackOff" }] }),
      student("dave", { phase: "Terminating" }),
    ]);
    expect(tiles(page)).toEqual([
      { student: "alice", className: "ok", state: "ok" },
      { student: "bob", className: "failing", state: "failing" },
      { student: "carol", className: "progressing", state: "progressing" },
      { student: "dave", className: "terminating", state: "terminating" },
    ]);
    // the reason may break where its words start, and nowhere else
    expect(page).toContain('<p class="headline">Crash<wbr>Loop<wbr>Back<wbr>Off</p>');
    expect(page).toContain('<span class="count failing">1 failing</span>');
    expect(page).toContain('<span class="count ok">1 fine</span>');
  });
});

describe("the class page's details", () => {
  it("says how long ago a student was last active", () => {
    const ago = (seconds: number) => timeAgo(new Date(now.getTime() - seconds * 1000).toISOString(), now);
    expect(timeAgo(null, now)).toBe("no activity yet");
    expect(ago(3)).toBe("just now");
    expect(ago(45)).toBe("45 s ago");
    expect(ago(150)).toBe("2 min ago");
    expect(ago(3 * 3600 + 5)).toBe("3 h ago");
    expect(ago(2 * 86_400)).toBe("2 d ago");
    expect(ago(-30)).toBe("just now");
  });

  it("counts pods by phase in the order a pod goes through them", () => {
    expect(podsLine({ Failed: 1, Pending: 2, Running: 3 })).toBe("3 Running · 2 Pending · 1 Failed");
    expect(podsLine({})).toBe("0 pods");
  });

  it("measures the budget used: pods, memory and CPU (in cores), full when over or on a zero budget", () => {
    const bars = budgetBars({
      budget: { memory: "4Gi", cpu: "2", pods: "0", storage: "64Mi" },
      usage: { memory: "1Gi", cpu: "3500m", pods: "1", storage: "0" },
    });
    expect(bars).toEqual([
      { resource: "pods", used: "1", of: "0", fraction: 1 },
      { resource: "memory", used: "1Gi", of: "4Gi", fraction: 0.25 },
      { resource: "cpu", used: "3.5", of: "2", fraction: 1 },
    ]);
    const page = board([student("a", { usage: { memory: "2Gi", cpu: "0", pods: "19", storage: "0" } })]);
    expect(page).toContain('<div class="bar high"><span>pods 19 / 20</span><progress max="100" value="95">');
    expect(page).toContain('<div class="bar"><span>memory 2Gi / 8Gi</span><progress max="100" value="25">');
  });

  it("grids students and checks, pass and fail with the value seen", () => {
    const checks: ClassCheckResults = {
      checks: [
        {
          name: "ready",
          resource: "deployment/web",
          jsonPath: "{.status.readyReplicas}",
          op: ">=",
          value: "1",
        },
        { name: "nodeport", resource: "svc/web", jsonPath: "{.spec.type}", op: "==", value: "NodePort" },
      ],
      students: [
        {
          student: "bob",
          results: [
            { check: "ready", pass: false, seen: null },
            { check: "nodeport", pass: false, seen: "ClusterIP" },
          ],
        },
        {
          student: "alice",
          results: [
            { check: "ready", pass: true, seen: "1" },
            { check: "nodeport", pass: true, seen: "NodePort" },
          ],
        },
      ],
    };
    const page = board([student("alice"), student("bob")], checks);
    const cells = [...page.matchAll(/<tr data-student="(\w+)">(.*?)<\/tr>/gs)].map((m) => [
      m[1],
      [...(m[2] ?? "").matchAll(/<td class="(pass|fail)" data-check="(\w+)"/g)].map((c) => `${c[2]}:${c[1]}`),
    ]);
    expect(cells).toEqual([
      ["alice", ["ready:pass", "nodeport:pass"]],
      ["bob", ["ready:fail", "nodeport:fail"]],
    ]);
    expect(page).toContain('<span class="seen">ClusterIP</span>');
    expect(page).toContain('title="nothing found"');
    expect(page).toContain('<td class="done all">2/2</td>');
    expect(board([student("alice")])).toContain("No exercise checks yet");
  });
});

describe("the class page escapes whatever students and teachers wrote", () => {
  const evil = `<script>alert("x")</script>`;
  const attr = `" onmouseover="alert(1)`;
  const overview: ClassOverview = {
    tenant: "k8s-101",
    students: [
      student(evil, {
        failing: [
          { namespace: attr, pod: evil, reason: `${evil}Reason`, message: `<img src=x onerror=alert(1)>` },
        ],
      }),
      student(attr, { pods: { [evil]: 1 } }),
    ],
  };
  const checks: ClassCheckResults = {
    checks: [{ name: evil, resource: "cm/x", jsonPath: "{.data.x}", op: "==", value: "y" }],
    students: [{ student: evil, results: [{ check: evil, pass: false, seen: `${attr}&<b>` }] }],
  };

  it("in the board: names, pods, reasons, messages, phases, checks and values seen", () => {
    const page = renderBoard(overview, checks, now).toString();
    expect(page).not.toContain("<script");
    expect(page).not.toContain("<img");
    expect(page).not.toContain("<b>");
    expect(page).not.toMatch(/" onmouseover=/);
    expect(page).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(page).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(page).toContain('data-student="&quot; onmouseover=&quot;alert(1)"');
  });

  it("in the page and the sign-in form: only the page's own script runs, with its nonce", () => {
    const page = renderPage({
      tenant: evil,
      nonce: "n0nce",
      board: renderBoard(overview, checks, now),
    }).toString();
    expect([...page.matchAll(/<script[^>]*>/g)].map((m) => m[0])).toEqual(['<script nonce="n0nce">']);
    expect([...page.matchAll(/<style[^>]*>/g)].map((m) => m[0])).toEqual(['<style nonce="n0nce">']);
    expect(page).not.toMatch(/ style=/);
    expect(page).toContain('data-src="/v1/tenants/%3Cscript%3Ealert(%22x%22)%3C%2Fscript%3E/page/board"');
    const login = renderLogin({ tenant: evil, nonce: "n0nce", refused: `${attr}<i>` }).toString();
    expect(login).not.toContain("<script");
    expect(login).not.toContain("<i>");
    expect(login).toContain('<input id="token" name="token" type="password"');
    expect(login).toContain('<form method="post" action="/v1/tenants/%3Cscript');
  });

  it("sends a policy that runs nothing inline but what carries the nonce", () => {
    const csp = contentSecurityPolicy("n0nce");
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'nonce-n0nce'");
    expect(csp).toContain("style-src 'nonce-n0nce'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe");
  });
});
