import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import WebSocket from "ws";
import { ensureChromium } from "../../infra/local/services";

/**
 * Debian's Chromium, headless, for the suites that look at a page as a person would: installed with apt
 * when missing (infra/local/services.ts), driven over the DevTools protocol on a WebSocket, or run once
 * with its own `--screenshot` and `--dump-dom`. Nothing is downloaded but the Debian package.
 */

export const WINDOW = { width: 1280, height: 900 };

const FLAGS = [
  "--headless",
  "--disable-gpu",
  "--no-sandbox",
  "--disable-dev-shm-usage",
  "--no-first-run",
  "--no-default-browser-check",
  "--disable-extensions",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-domain-reliability",
  "--disable-client-side-phishing-detection",
  "--no-pings",
  // nothing leaves the machine: every address but the loopback's (which Chromium never proxies) goes to a
  // proxy that is not there, which also resolves no name
  "--proxy-server=http://127.0.0.1:9",
  "--disable-sync",
  "--hide-scrollbars",
  "--force-color-profile=srgb",
  `--window-size=${WINDOW.width},${WINDOW.height}`,
];

async function withProfile<T>(task: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "timonier-chromium-"));
  try {
    return await task(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** One run of `chromium --headless … <url>` with extra flags (`--dump-dom`, `--screenshot=…`): its stdout. */
export async function chromiumOnce(url: string, flags: string[], timeoutMs = 60_000): Promise<string> {
  const binary = await ensureChromium();
  return withProfile(
    (profile) =>
      new Promise<string>((resolve, reject) => {
        execFile(
          binary,
          [...FLAGS, `--user-data-dir=${profile}`, ...flags, url],
          { timeout: timeoutMs, maxBuffer: 16 << 20 },
          (error, stdout, stderr) =>
            error
              ? reject(new Error(`chromium ${flags.join(" ")}: ${error.message}\n${stderr}`))
              : resolve(stdout),
        );
      }),
  );
}

interface Pending {
  resolve(value: Record<string, unknown>): void;
  reject(error: Error): void;
}

/** A page in a headless Chromium, driven over the DevTools protocol. */
export interface BrowserPage {
  /** Opens a URL and waits for its load event. */
  goto(url: string): Promise<void>;
  /** Evaluates an expression in the page (awaiting a promise) and returns its value. */
  evaluate<T>(expression: string): Promise<T>;
  /** Runs `action` (a click, a form submitted) and waits for the navigation it starts to load. */
  navigating(action: () => Promise<unknown>): Promise<void>;
  /** A PNG of the viewport, `WINDOW` in size. */
  screenshot(): Promise<Buffer>;
  /** Messages the page logged, and its errors (a Content-Security-Policy refusal among them). */
  console: string[];
}

export interface Browser {
  newPage(): Promise<BrowserPage>;
  close(): Promise<void>;
}

/** Starts a headless Chromium with `--remote-debugging-port=0` and connects to it. */
export async function launchChromium(): Promise<Browser> {
  const binary = await ensureChromium();
  const profile = await mkdtemp(join(tmpdir(), "timonier-chromium-"));
  const child: ChildProcess = spawn(
    binary,
    [
      ...FLAGS,
      `--user-data-dir=${profile}`,
      "--remote-debugging-port=0",
      "--remote-debugging-address=127.0.0.1",
      "about:blank",
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  const endpoint = await new Promise<string>((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => reject(new Error(`chromium did not start: ${seen}`)), 30_000);
    child.stderr?.on("data", (chunk: Buffer) => {
      seen += chunk.toString();
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(seen);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`chromium exited (${code}): ${seen}`));
    });
  });
  child.stderr?.resume();
  const socket = new WebSocket(endpoint, { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
  });

  let nextId = 1;
  const pending = new Map<number, Pending>();
  const listeners = new Set<
    (message: { method: string; params: Record<string, unknown>; sessionId?: string }) => void
  >();
  socket.on("message", (data) => {
    const message = JSON.parse(data.toString());
    if (message.id !== undefined) {
      const p = pending.get(message.id);
      pending.delete(message.id);
      if (message.error) p?.reject(new Error(`${message.error.message} (${message.error.code})`));
      else p?.resolve(message.result ?? {});
    } else for (const listen of listeners) listen(message);
  });
  socket.on("close", () => {
    for (const p of pending.values()) p.reject(new Error("chromium closed the DevTools connection"));
    pending.clear();
  });
  const send = (method: string, params: Record<string, unknown> = {}, sessionId?: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      socket.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  const next = (method: string, sessionId: string, timeoutMs = 30_000) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const listen = (m: { method: string; params: Record<string, unknown>; sessionId?: string }) => {
        if (m.method !== method || m.sessionId !== sessionId) return;
        listeners.delete(listen);
        clearTimeout(timer);
        resolve(m.params);
      };
      const timer = setTimeout(() => {
        listeners.delete(listen);
        reject(new Error(`no ${method} within ${timeoutMs} ms`));
      }, timeoutMs);
      listeners.add(listen);
    });

  return {
    async newPage() {
      const { targetId } = (await send("Target.createTarget", { url: "about:blank" })) as {
        targetId: string;
      };
      const { sessionId } = (await send("Target.attachToTarget", { targetId, flatten: true })) as {
        sessionId: string;
      };
      const console: string[] = [];
      listeners.add((m) => {
        if (m.sessionId !== sessionId) return;
        if (m.method === "Runtime.consoleAPICalled")
          console.push(
            (m.params.args as { value?: unknown; description?: string }[])
              .map((a) => String(a.value ?? a.description ?? ""))
              .join(" "),
          );
        if (m.method === "Runtime.exceptionThrown")
          console.push(
            String(
              (m.params.exceptionDetails as { exception?: { description?: string }; text: string }).exception
                ?.description ?? "",
            ),
          );
        if (m.method === "Log.entryAdded") {
          const entry = m.params.entry as { level: string; source: string; text: string };
          console.push(`${entry.level} ${entry.source}: ${entry.text}`);
        }
      });
      await send("Page.enable", {}, sessionId);
      await send("Runtime.enable", {}, sessionId);
      await send("Log.enable", {}, sessionId);
      await send(
        "Emulation.setDeviceMetricsOverride",
        { width: WINDOW.width, height: WINDOW.height, deviceScaleFactor: 1, mobile: false },
        sessionId,
      );
      const navigating = async (action: () => Promise<unknown>) => {
        const loaded = next("Page.loadEventFired", sessionId);
        await action();
        await loaded;
      };
      return {
        console,
        goto: (url) =>
          navigating(async () => {
            const result = (await send("Page.navigate", { url }, sessionId)) as { errorText?: string };
            if (result.errorText) throw new Error(`${url}: ${result.errorText}`);
          }),
        navigating,
        async evaluate<T>(expression: string) {
          const result = (await send(
            "Runtime.evaluate",
            { expression, returnByValue: true, awaitPromise: true },
            sessionId,
          )) as {
            result: { value?: unknown };
            exceptionDetails?: { text: string; exception?: { description?: string } };
          };
          if (result.exceptionDetails)
            throw new Error(result.exceptionDetails.exception?.description ?? result.exceptionDetails.text);
          return result.result.value as T;
        },
        async screenshot() {
          const { data } = (await send("Page.captureScreenshot", { format: "png" }, sessionId)) as {
            data: string;
          };
          return Buffer.from(data, "base64");
        },
      };
    },
    async close() {
      await send("Browser.close").catch(() => {});
      socket.close();
      if (child.exitCode === null && child.signalCode === null)
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            child.kill("SIGKILL");
          }, 5000);
          child.once("exit", () => {
            clearTimeout(timer);
            resolve();
          });
        });
      await rm(profile, { recursive: true, force: true });
    },
  };
}
