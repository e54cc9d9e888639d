import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COLOURS } from "../../api/management/page/render";
import { ensureChromium } from "../../infra/local/services";
import { type Browser, type BrowserPage, chromiumOnce, launchChromium, WINDOW } from "../support/chromium";
import { eventually, kubectl } from "../support/kubectl";
import { startTestPlatform, type TestPlatform } from "../support/platform";
import { countColour, decodePng, type Image, isColour, rgb } from "../support/png";

/** Where the screenshots stay after the run, for a person to look at. */
const ARTIFACTS = resolve(fileURLToPath(new URL("../..", import.meta.url)), ".timonier", "test-artifacts");

interface TileView {
  student: string;
  state: string;
  headline: string;
  background: string;
  rect: { x: number; y: number; width: number; height: number };
}

/** What the page shows, read from its DOM: each tile and each cell of the checks grid. */
const READ_PAGE = `(() => ({
  tiles: [...document.querySelectorAll("article.tile")].map((t) => {
    const r = t.getBoundingClientRect();
    return {
      student: t.dataset.student,
      state: t.dataset.state,
      headline: t.querySelector(".headline").textContent,
      background: getComputedStyle(t).backgroundColor,
      rect: { x: r.x, y: r.y, width: r.width, height: r.height },
    };
  }),
  cells: [...document.querySelectorAll("table.grid tbody td[data-check]")].map(
    (td) => td.closest("tr").dataset.student + ":" + td.dataset.check + ":" + td.className,
  ),
  text: document.body.innerText,
}))()`;

interface PageView {
  tiles: TileView[];
  cells: string[];
  text: string;
}

/** What a student may write into an object a check reads, and a teacher into a check's name. */
const EVIL = "<img src=x onerror=document.title=1>";
const NOTE_CHECK = "<b>note</b>";

const css = (hex: string) => `rgb(${rgb(hex).join(", ")})`;

describe("the teacher's class page in a real headless Chromium", () => {
  let platform: TestPlatform;
  let browser: Browser;
  let teacher: string;
  let otherTeacher: string;
  const kubeconfigs: Record<string, string> = {};
  const page = () => `${platform.url}/v1/tenants/k8s-101/page`;

  beforeAll(async () => {
    // apt-get installs it on a fresh machine (a minute or so) while the platform starts
    const installed = ensureChromium();
    installed.catch(() => {}); // awaited below, once the platform is up
    platform = await startTestPlatform();
    const created = await platform.admin("POST", "/v1/tenants", { name: "k8s-101" });
    expect(created.status).toBe(201);
    teacher = ((await created.json()) as { teacherToken: string }).teacherToken;
    const other = await platform.admin("POST", "/v1/tenants", { name: "k8s-102" });
    otherTeacher = ((await other.json()) as { teacherToken: string }).teacherToken;
    const roster = await platform.as(teacher)("POST", "/v1/tenants/k8s-101/students", {
      students: ["ana", "ben", "cleo"],
    });
    expect(roster.status).toBe(200);
    for (const item of ((await roster.json()) as { items: { student: string; kubeconfig: string }[] })
      .items) {
      kubeconfigs[item.student] = join(platform.workDir, `${item.student}.yaml`);
      await writeFile(kubeconfigs[item.student] as string, item.kubeconfig, { mode: 0o600 });
    }
    const checks = await platform.as(teacher)("POST", "/v1/tenants/k8s-101/checks", {
      checks: [
        { name: "web runs", resource: "pod/web", jsonPath: "{.status.phase}", op: "==", value: "Running" },
        // a name and a value seen that are markup: the page shows them as text
        { name: NOTE_CHECK, resource: "configmap/note", jsonPath: "{.data.note}", op: "==", value: "done" },
      ],
    });
    expect(checks.status).toBe(200);
    const note = await kubectl(kubeconfigs.ana as string, [
      "create",
      "configmap",
      "note",
      `--from-literal=note=${EVIL}`,
    ]);
    expect(note.code, note.stderr).toBe(0);
    // ana's pod runs, ben's crashes again and again
    const ana = await kubectl(kubeconfigs.ana as string, [
      "run",
      "web",
      "--image=busybox",
      "--",
      "sleep",
      "3600",
    ]);
    expect(ana.code, ana.stderr).toBe(0);
    const ben = await kubectl(kubeconfigs.ben as string, [
      "run",
      "crash",
      "--image=busybox",
      "--",
      "sh",
      "-c",
      "exit 1",
    ]);
    expect(ben.code, ben.stderr).toBe(0);
    await eventually(
      async () => {
        const res = await platform.as(teacher)("GET", "/v1/tenants/k8s-101/overview");
        const { students } = (await res.json()) as {
          students: { student: string; pods: Record<string, number>; failing: { reason: string }[] }[];
        };
        const of = (name: string) => students.find((s) => s.student === name);
        return of("ana")?.pods.Running === 1 && of("ben")?.failing[0]?.reason === "CrashLoopBackOff"
          ? true
          : undefined;
      },
      90_000,
      "ana's pod running and ben's in CrashLoopBackOff",
    );
    await installed;
    browser = await launchChromium();
    await mkdir(ARTIFACTS, { recursive: true });
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await platform?.close();
  });

  it("shows no token and another class's teacher nothing of the class", async () => {
    // Chromium's own one-shot modes: the DOM and a screenshot of what a browser without a token gets
    const dom = await chromiumOnce(page(), ["--dump-dom"]);
    expect(dom).toContain('<input id="token" name="token" type="password"');
    expect(dom).not.toMatch(/ana|ben|cleo|data-student/);
    const shot = join(ARTIFACTS, "class-page-signed-out.png");
    await chromiumOnce(page(), [`--screenshot=${shot}`]);
    const image = decodePng(await readFile(shot));
    expect([image.width, image.height]).toEqual([WINDOW.width, WINDOW.height]);
    expect(countColour(image, rgb(COLOURS.ok)) + countColour(image, rgb(COLOURS.failing))).toBe(0);

    for (const [token, status] of [
      [undefined, 401],
      [otherTeacher, 403],
    ] as const) {
      for (const path of ["", "/board"]) {
        const res = await fetch(
          `${page()}${path}`,
          token ? { headers: { authorization: `Bearer ${token}` } } : {},
        );
        expect(res.status, `${path} ${status}`).toBe(status);
        expect(await res.text()).not.toMatch(/ana|ben|cleo|data-student/);
      }
    }
    // the other class's teacher cannot sign in to this class in a browser either
    const tab = await browser.newPage();
    await tab.goto(page());
    await signIn(tab, otherTeacher);
    const refused = await tab.evaluate<string>("document.body.innerText");
    expect(refused).toContain("This token does not open class k8s-101.");
    expect(refused).not.toMatch(/ana|ben|cleo/);
  });

  /** Types the token into the sign-in form and submits it, as a teacher does. */
  async function signIn(tab: BrowserPage, token: string) {
    expect(await tab.evaluate<boolean>("!!document.querySelector('input#token')")).toBe(true);
    await tab.navigating(() =>
      tab.evaluate(`(() => {
        document.querySelector("input#token").value = ${JSON.stringify(token)};
        document.querySelector("form").requestSubmit();
      })()`),
    );
  }

  it("signs the teacher in and shows each student's tile in its colour, the failing reason and the checks", async () => {
    const tab = await browser.newPage();
    await tab.goto(page());
    await signIn(tab, teacher);
    expect(await tab.evaluate<string>("location.pathname")).toBe("/v1/tenants/k8s-101/page");
    // the token is nowhere the page's script could read it, nor in the address
    expect(await tab.evaluate<string>("document.cookie")).toBe("");
    expect(await tab.evaluate<string>("location.href")).not.toContain(teacher);

    const view = await eventually(
      async () => {
        const v = await tab.evaluate<PageView>(READ_PAGE);
        const ben = v.tiles.find((t) => t.student === "ben");
        return v.tiles.length === 3 && ben?.state === "failing" ? v : undefined;
      },
      30_000,
      "the three tiles, ben's failing",
    );
    expect(view.tiles.map((t) => [t.student, t.state, t.headline])).toEqual([
      ["ana", "ok", "Running"],
      ["ben", "failing", "CrashLoopBackOff"],
      ["cleo", "ok", "No pods yet"],
    ]);
    const background = Object.fromEntries(view.tiles.map((t) => [t.student, t.background]));
    expect(background).toEqual({ ana: css(COLOURS.ok), ben: css(COLOURS.failing), cleo: css(COLOURS.ok) });
    expect(view.text).toContain("pod crash");
    expect(view.text).toMatch(/just now|\d+ s ago|\d+ min ago/);
    expect(view.cells).toEqual([
      "ana:web runs:pass",
      `ana:${NOTE_CHECK}:fail`,
      "ben:web runs:fail",
      `ben:${NOTE_CHECK}:fail`,
      "cleo:web runs:fail",
      `cleo:${NOTE_CHECK}:fail`,
    ]);
    // markup shown as text, never run: no element made of it, the title untouched
    expect(view.text).toContain(NOTE_CHECK);
    const seen = await tab.evaluate<{ text: string; title: string }>(`(() => {
      const td = [...document.querySelectorAll("tr[data-student=ana] td[data-check]")].find((c) => c.dataset.check === ${JSON.stringify(NOTE_CHECK)});
      return { text: td.querySelector(".seen").textContent, title: td.title };
    })()`);
    expect(seen).toEqual({ text: `${EVIL.slice(0, 23)}…`, title: `seen: ${EVIL}` });
    expect(await tab.evaluate<number>("document.querySelectorAll('main img, main b').length")).toBe(0);
    expect(await tab.evaluate<string>("document.title")).toBe("k8s-101 · Timonier");
    expect(tab.console.filter((line) => /Content Security Policy|Refused/i.test(line))).toEqual([]);

    // the screenshot: the window's size, ben's tile red and ana's green where the DOM put them
    const { image, png } = await eventually(
      async () => {
        const png = await tab.screenshot();
        const image = decodePng(png);
        const v = await tab.evaluate<PageView>(READ_PAGE);
        const at = (name: string) => v.tiles.find((t) => t.student === name) as TileView;
        return tileIs(image, at("ben"), COLOURS.failing) && tileIs(image, at("ana"), COLOURS.ok)
          ? { image, png }
          : undefined;
      },
      30_000,
      "a screenshot with ben's tile red and ana's green",
    );
    await writeFile(join(ARTIFACTS, "class-page.png"), png);
    expect([image.width, image.height]).toEqual([WINDOW.width, WINDOW.height]);
    expect(countColour(image, rgb(COLOURS.failing))).toBeGreaterThan(20_000);
    expect(countColour(image, rgb(COLOURS.ok))).toBeGreaterThan(40_000);
    expect(existsSync(join(ARTIFACTS, "class-page.png"))).toBe(true);
  });

  it("refreshes live: a student's new failure turns their tile red without a reload", async () => {
    const tab = await browser.newPage();
    await tab.goto(page());
    // signed in already: the cookie is the browser's
    expect(await tab.evaluate<number>("document.querySelectorAll('article.tile').length")).toBe(3);
    await tab.evaluate("window.notReloaded = true");
    const typo = await kubectl(kubeconfigs.cleo as string, ["run", "web", "--image=nginxx"]);
    expect(typo.code, typo.stderr).toBe(0);
    const cleo = await eventually(
      async () => {
        const v = await tab.evaluate<PageView>(READ_PAGE);
        const t = v.tiles.find((x) => x.student === "cleo");
        return t?.state === "failing" ? t : undefined;
      },
      45_000,
      "cleo's tile failing on the open page",
    );
    expect(cleo.headline).toBe("ErrImageNeverPull");
    expect(cleo.background).toBe(css(COLOURS.failing));
    expect(await tab.evaluate<boolean>("window.notReloaded === true")).toBe(true);
    expect(await tab.evaluate<string>("document.getElementById('updated').textContent")).not.toBe("");

    // signing out ends it: the page asks for the token again
    await tab.navigating(() =>
      tab.evaluate(`document.querySelector("form[action$='/logout']").requestSubmit()`),
    );
    expect(await tab.evaluate<boolean>("!!document.querySelector('input#token')")).toBe(true);
    expect(await tab.evaluate<string>("document.body.innerText")).not.toMatch(/ana|ben|cleo/);
  });
});

/** Whether a tile's own colour shows at the inner edge of its padding, left of its text, at mid-height. */
function tileIs(image: Image, tile: TileView, hex: string): boolean {
  const y = Math.round(tile.rect.y + tile.rect.height / 2);
  if (y < 0 || y >= image.height) return false;
  const xs = [10, 12, 14].map((dx) => Math.round(tile.rect.x + dx));
  return xs.every((x) => isColour(image.pixel(x, y), rgb(hex)));
}
