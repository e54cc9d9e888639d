import { html, raw } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import { parseQuantity } from "../../../core/k8s/quantity";
import type { ClassCheckResults, ClassOverview, StudentOverview } from "../tenants/class-state";

/**
 * The teacher's class page, rendered on the server as plain HTML strings: every value a student or a
 * teacher chose (names, pod names, reasons, messages, values seen) goes through hono/html's escaping, and
 * nothing is ever inserted raw but this file's own markup. Pure: the same data and time give the same page.
 */

/** `html` never returns a promise when no value is one: typed as what it is here. */
function h(strings: TemplateStringsArray, ...values: unknown[]): HtmlEscapedString {
  const out = html(strings, ...values);
  if (out instanceof Promise) throw new Error("a class page fragment cannot be asynchronous");
  return out;
}

/** A tile's state, each with its colour: what a teacher reads from the back of the room. */
export type TileState = "ok" | "progressing" | "failing" | "asleep" | "terminating";

/** The tiles' background colours (and the check grid's pass and fail), also read back by the browser test. */
export const COLOURS: Record<TileState, string> = {
  ok: "#15803d",
  progressing: "#f59e0b",
  failing: "#b91c1c",
  asleep: "#4b5563",
  terminating: "#4b5563",
};

export interface Tile {
  state: TileState;
  /** The one thing to read from afar: a failure's reason, "2 Pending", "Running", "Asleep"… */
  headline: string;
  /** Which pod, and the kubelet's or scheduler's words, smaller. */
  detail: string[];
}

const SLEEPING = new Set(["Asleep", "Sleeping", "Stopped", "Suspended"]);
const MESSAGE_LIMIT = 140;

function clip(text: string, limit = MESSAGE_LIMIT): string {
  return text.length > limit ? `${text.slice(0, limit - 1)}…` : text;
}

/**
 * The state of a student's tile: grey while the cluster sleeps or is torn down, red when a pod fails (its
 * reason as the headline), amber while pods are pending or the cluster is not yet active, green otherwise.
 */
export function tileOf(s: StudentOverview): Tile {
  if (s.phase === "Terminating") return { state: "terminating", headline: "Terminating", detail: [] };
  if (SLEEPING.has(s.phase)) return { state: "asleep", headline: "Asleep", detail: [] };
  const [first, ...others] = s.failing;
  if (first) {
    const detail = [
      `pod ${first.pod}${first.namespace && first.namespace !== "default" ? ` in ${first.namespace}` : ""}`,
    ];
    if (first.message) detail.push(clip(first.message));
    if (others.length)
      detail.push(
        `+${others.length} more: ${clip(others.map((o) => `${o.pod} ${o.reason}`).join(", "), 80)}`,
      );
    return { state: "failing", headline: first.reason, detail };
  }
  if (s.phase !== "Active") return { state: "progressing", headline: s.phase, detail: [] };
  const waiting = (s.pods.Pending ?? 0) + (s.pods.Unknown ?? 0);
  if (waiting) return { state: "progressing", headline: `${waiting} Pending`, detail: [] };
  const running = s.pods.Running ?? 0;
  return { state: "ok", headline: running ? "Running" : "No pods yet", detail: [] };
}

/** "just now", "45 s ago", "2 min ago", "3 h ago", "2 d ago"; "no activity yet" when never. */
export function timeAgo(iso: string | null, now: Date): string {
  if (!iso) return "no activity yet";
  const seconds = Math.max(0, Math.floor((now.getTime() - Date.parse(iso)) / 1000));
  if (Number.isNaN(seconds)) return "unknown";
  if (seconds < 10) return "just now";
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86_400)} d ago`;
}

/** "2 Running · 1 Pending", the phases in the order a pod goes through them. */
export function podsLine(pods: Record<string, number>): string {
  const order = ["Running", "Pending", "Succeeded", "Failed", "Unknown"];
  const phases = Object.keys(pods).sort((a, b) => {
    const [i, j] = [order.indexOf(a), order.indexOf(b)];
    return (i < 0 ? order.length : i) - (j < 0 ? order.length : j) || a.localeCompare(b);
  });
  const parts = phases.filter((p) => pods[p]).map((p) => `${pods[p]} ${p}`);
  return parts.length ? parts.join(" · ") : "0 pods";
}

/** CPU as cores, as a teacher says it: 0.3, 4, 3.9. */
function cores(value: number): string {
  return String(Math.round(value * 10) / 10);
}

export interface BudgetBar {
  resource: "pods" | "memory" | "cpu";
  used: string;
  of: string;
  /** Used over budget, between 0 and 1 (1 when over, or when anything is used of a zero budget). */
  fraction: number;
}

/** How much of its budget a student's cluster uses: pods, memory and CPU. */
export function budgetBars(s: Pick<StudentOverview, "budget" | "usage">): BudgetBar[] {
  return (["pods", "memory", "cpu"] as const).map((resource) => {
    const used = parseQuantity(s.usage[resource]) ?? 0;
    const of = parseQuantity(s.budget[resource]) ?? 0;
    const fraction = of > 0 ? Math.min(1, used / of) : used > 0 ? 1 : 0;
    const shown = (text: string, value: number) => (resource === "cpu" ? cores(value) : text);
    return { resource, used: shown(s.usage[resource], used), of: shown(s.budget[resource], of), fraction };
  });
}

function bar(b: BudgetBar) {
  const percent = Math.round(b.fraction * 100);
  return h`<div class="bar${percent >= 90 ? " high" : ""}"><span>${b.resource} ${b.used} / ${b.of}</span><progress max="100" value="${percent}">${percent}%</progress></div>`;
}

/** A reason as words that may break where its capitals start: CrashLoop|BackOff, ErrImage|Never|Pull. */
function breakable(text: string) {
  const parts = text.split(/(?<=[a-z])(?=[A-Z])/);
  return parts.map((part, i) => (i === 0 ? h`${part}` : h`<wbr>${part}`));
}

function tile(s: StudentOverview, now: Date) {
  const t = tileOf(s);
  return h`<article class="tile ${t.state}" data-student="${s.student}" data-state="${t.state}">
<header><h2>${s.student}</h2><span class="ago">${timeAgo(s.lastActivity, now)}</span></header>
<p class="headline">${breakable(t.headline)}</p>
${t.detail.map((d) => h`<p class="detail">${d}</p>`)}
<p class="pods">${podsLine(s.pods)}</p>
<div class="bars">${budgetBars(s).map(bar)}</div>
</article>`;
}

const byName = <T extends { student: string }>(a: T, b: T) => a.student.localeCompare(b.student);

function summary(tiles: Tile[]) {
  const count = (state: TileState) => tiles.filter((t) => t.state === state).length;
  const parts: [TileState, string][] = [
    ["failing", "failing"],
    ["progressing", "starting"],
    ["ok", "fine"],
    ["asleep", "asleep"],
    ["terminating", "leaving"],
  ];
  return h`<p class="summary">${parts
    .filter(([state]) => count(state))
    .map(([state, label]) => h`<span class="count ${state}">${count(state)} ${label}</span>`)}</p>`;
}

function checksGrid(results: ClassCheckResults, tenant: string) {
  if (!results.checks.length)
    return h`<section class="checks"><h2>Exercise checks</h2><p class="none">No exercise checks yet: <code>POST /v1/tenants/${tenant}/checks</code></p></section>`;
  const students = [...results.students].sort(byName);
  const passed = (check: string) =>
    students.filter((s) => s.results.some((r) => r.check === check && r.pass)).length;
  return h`<section class="checks"><h2>Exercise checks</h2>
<table class="grid">
<thead><tr><th scope="col">Student</th>${results.checks.map((c) => h`<th scope="col">${c.name}</th>`)}<th scope="col">Done</th></tr></thead>
<tbody>
${students.map((s) => {
  const done = s.results.filter((r) => r.pass).length;
  return h`<tr data-student="${s.student}"><th scope="row">${s.student}</th>${results.checks.map((c) => {
    const r = s.results.find((x) => x.check === c.name);
    const pass = r?.pass ?? false;
    const seen = r?.seen ?? null;
    return h`<td class="${pass ? "pass" : "fail"}" data-check="${c.name}" title="${seen === null ? "nothing found" : `seen: ${seen}`}"><span class="mark">${pass ? "✓" : "✗"}</span>${!pass && seen !== null ? h`<span class="seen">${clip(seen, 24)}</span>` : ""}</td>`;
  })}<td class="done${done === results.checks.length ? " all" : ""}">${done}/${results.checks.length}</td></tr>`;
})}
</tbody>
<tfoot><tr><th scope="row">Passed</th>${results.checks.map((c) => h`<td>${passed(c.name)}/${students.length}</td>`)}<td></td></tr></tfoot>
</table></section>`;
}

/** The board: a tile per student, then the students × checks grid. What the page re-fetches every few seconds. */
export function renderBoard(
  overview: ClassOverview,
  checks: ClassCheckResults,
  now: Date,
): HtmlEscapedString {
  const students = [...overview.students].sort(byName);
  const tiles = students.map(tileOf);
  return h`${summary(tiles)}
<section class="tiles">${students.length ? students.map((s) => tile(s, now)) : h`<p class="none">No students yet: <code>POST /v1/tenants/${overview.tenant}/students</code></p>`}</section>
${checksGrid(checks, overview.tenant)}`;
}

const CSS = `
*{box-sizing:border-box}
html{font-size:20px}
body{margin:0;padding:16px 20px;background:#0f172a;color:#f8fafc;font-family:"DejaVu Sans",system-ui,sans-serif;line-height:1.25}
body>header{display:flex;align-items:baseline;gap:24px;flex-wrap:wrap;margin-bottom:8px}
h1{font-size:2.2rem;margin:0}
#live{font-size:1rem;color:#cbd5e1;margin:0}
body.stale #live{color:#fff;background:${COLOURS.failing};padding:2px 10px;border-radius:6px}
body>header form{margin-left:auto}
button{font:inherit;font-size:1rem;padding:6px 14px;border-radius:8px;border:2px solid #cbd5e1;background:#1e293b;color:#f8fafc;cursor:pointer}
.summary{display:flex;gap:12px;flex-wrap:wrap;margin:0 0 12px;font-size:1.3rem;font-weight:700}
.count{padding:4px 14px;border-radius:999px}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(340px,1fr));gap:14px}
.tile{border-radius:14px;padding:14px 18px;display:flex;flex-direction:column;gap:4px;min-height:190px;color:#fff;border:4px solid transparent}
.tile header{display:flex;justify-content:space-between;align-items:baseline;gap:10px}
.tile h2{font-size:1.9rem;margin:0;overflow-wrap:anywhere}
.ago{font-size:1rem;white-space:nowrap}
.headline{font-size:2.2rem;font-weight:800;margin:2px 0;overflow-wrap:anywhere;line-height:1.1}
.detail{font-size:1.05rem;margin:0;overflow-wrap:anywhere}
.pods{font-size:1.2rem;font-weight:700;margin:4px 0 0}
.bars{display:grid;grid-template-columns:auto minmax(0,1fr);gap:2px 10px;align-items:center;margin-top:auto;padding-top:8px;font-size:.85rem}
.bar{display:contents}
.bar span{white-space:nowrap}
progress{-webkit-appearance:none;appearance:none;display:block;width:100%;height:12px;border:0;border-radius:6px;background:rgba(0,0,0,.3)}
progress::-webkit-progress-bar{background:rgba(0,0,0,.3);border-radius:6px}
progress::-webkit-progress-value{background:currentColor;border-radius:6px}
progress::-moz-progress-bar{background:currentColor}
.bar.high span{font-weight:800}
.ok,td.pass,.done.all{background:${COLOURS.ok};color:#fff}
.progressing{background:${COLOURS.progressing};color:#111}
.failing,td.fail{background:${COLOURS.failing};color:#fff}
.asleep,.terminating{background:${COLOURS.asleep};color:#fff}
.tile.failing{border-color:#fff}
.checks h2{font-size:1.6rem;margin:20px 0 8px}
table.grid{border-collapse:separate;border-spacing:4px;font-size:1.2rem}
.grid th{text-align:left;padding:4px 10px;font-weight:700}
.grid thead th{font-size:1rem;color:#cbd5e1;vertical-align:bottom}
.grid td{padding:6px 14px;text-align:center;border-radius:6px;font-weight:800;min-width:90px}
.grid td .mark{font-size:1.5rem}
.grid td .seen{display:block;font-size:.8rem;font-weight:400}
.grid tfoot td{color:#cbd5e1;font-weight:400}
.none{font-size:1.2rem;color:#cbd5e1}
code{font-size:.9em}
main.login{max-width:760px}
.login label{display:block;font-size:1.2rem;margin:16px 0 6px}
.login input{font:inherit;width:100%;padding:10px;border-radius:8px;border:2px solid #cbd5e1;background:#fff;color:#111}
.login button{margin-top:14px;font-size:1.2rem}
.refused{background:${COLOURS.failing};color:#fff;padding:10px 14px;border-radius:8px;font-size:1.2rem}
`;

/** Polls the board with the page's cookie every few seconds; a 401 or 403 (token revoked) shows the login again. */
const script = (refreshMs: number) => `
(() => {
  const board = document.getElementById("board");
  const stamp = document.getElementById("updated");
  const show = () => { stamp.textContent = new Date().toLocaleTimeString(); };
  show();
  let busy = false;
  setInterval(async () => {
    if (busy) return;
    busy = true;
    try {
      const res = await fetch(board.dataset.src, { credentials: "same-origin", cache: "no-store" });
      if (res.status === 401 || res.status === 403) return location.reload();
      if (!res.ok) throw new Error(String(res.status));
      board.innerHTML = await res.text();
      document.body.classList.remove("stale");
      show();
    } catch {
      document.body.classList.add("stale");
    } finally {
      busy = false;
    }
  }, ${refreshMs});
})();
`;

/** How often the page re-fetches its board. */
export const REFRESH_MS = 4000;

function htmlDocument(title: string, nonce: string, body: HtmlEscapedString, bodyClass = "") {
  return h`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
<style nonce="${nonce}">${raw(CSS)}</style>
</head>
<body${bodyClass ? h` class="${bodyClass}"` : ""}>
${body}
</body>
</html>`;
}

/** Where a class's page lives; every link and form of it is built from this. */
export function pagePath(tenant: string): string {
  return `/v1/tenants/${encodeURIComponent(tenant)}/page`;
}

/** The whole page: the class's name, the live marker, the board, and the script that keeps it fresh. */
export function renderPage(input: {
  tenant: string;
  nonce: string;
  board: HtmlEscapedString;
}): HtmlEscapedString {
  const base = pagePath(input.tenant);
  return htmlDocument(
    `${input.tenant} · Timonier`,
    input.nonce,
    h`<header><h1>${input.tenant}</h1><p id="live">live · updated <span id="updated"></span></p>
<form method="post" action="${base}/logout"><button type="submit">Sign out</button></form></header>
<main id="board" data-src="${base}/board" aria-live="polite">${input.board}</main>
<script nonce="${input.nonce}">${raw(script(REFRESH_MS))}</script>`,
  );
}

/**
 * The sign-in form, all a request without a valid token sees: the token goes in a POST body (never a URL,
 * which ends in logs and history) and comes back as an HttpOnly cookie for this class's page alone.
 */
export function renderLogin(input: { tenant: string; nonce: string; refused?: string }): HtmlEscapedString {
  return htmlDocument(
    `Sign in · ${input.tenant} · Timonier`,
    input.nonce,
    h`<main class="login"><h1>${input.tenant}</h1>
${input.refused ? h`<p class="refused" role="alert">${input.refused}</p>` : ""}
<form method="post" action="${pagePath(input.tenant)}/login">
<label for="token">Teacher token for this class (tmt_…)</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Open the class page</button>
</form></main>`,
  );
}

/** The page's Content-Security-Policy: nothing but its own nonce'd style and script, and fetches home. */
export function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'none'",
    `style-src 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
    "connect-src 'self'",
    "img-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join("; ");
}
