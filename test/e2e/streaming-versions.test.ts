import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, kubectl } from "../support/kubectl";
import { freePort, startTestPlatform, type TestPlatform } from "../support/platform";

const SDK = "/usr/lib/google-cloud-sdk/bin";
const VERSIONS = ["27", "28", "29", "30", "31", "32", "33"].filter((v) =>
  existsSync(`${SDK}/kubectl.1.${v}`),
);

/**
 * exec, stdin and port-forward with every kubectl: SPDY/3.1 for 1.27–1.29 (and port-forward up to 1.30),
 * WebSocket for the newer ones, tunnelled SPDY for their port-forward.
 */
describe.skipIf(VERSIONS.length === 0)("streaming with every kubectl from 1.27 to 1.33", () => {
  let platform: TestPlatform;
  let kubeconfig: string;

  beforeAll(async () => {
    platform = await startTestPlatform();
    kubeconfig = (await platform.createCluster("streams")).kubeconfig;
    expect((await kubectl(kubeconfig, ["run", "web", "--image=nginx"])).code).toBe(0);
    expect(
      (await kubectl(kubeconfig, ["wait", "--for=condition=Ready", "pod/web", "--timeout=60s"])).code,
    ).toBe(0);
    expect(
      (await kubectl(kubeconfig, ["expose", "pod", "web", "--port=8080", "--target-port=80"])).code,
    ).toBe(0);
  }, 90_000);
  afterAll(async () => {
    await platform?.close();
  });

  const run = (v: string, args: string[], input?: string) => {
    const previous = process.env.KUBECTL;
    process.env.KUBECTL = `${SDK}/kubectl.1.${v}`;
    const result = kubectl(kubeconfig, args, input === undefined ? {} : { input });
    process.env.KUBECTL = previous;
    return result;
  };

  it.each(VERSIONS)("kubectl 1.%s executes with output, stdin and exit codes", async (v) => {
    const out = await run(v, ["exec", "web", "--", "sh", "-c", "echo out; echo err >&2; exit 3"]);
    expect(out.stdout).toBe("out\n");
    expect(out.stderr).toContain("err\n");
    expect(out.code).toBe(3);
    expect((await run(v, ["exec", "-i", "web", "--", "cat"], "from stdin\n")).stdout).toBe("from stdin\n");
  });

  it.each(VERSIONS)("kubectl 1.%s forwards a local port to a pod and to a service", async (v) => {
    for (const target of ["pod/web:80", "svc/web:8080"]) {
      const local = await freePort();
      const [resource, remote] = target.split(":");
      const child = spawn(
        `${SDK}/kubectl.1.${v}`,
        ["--kubeconfig", kubeconfig, "port-forward", resource as string, `${local}:${remote}`],
        { stdio: "ignore" },
      );
      try {
        const page = await eventually(
          async () => {
            const res = await fetch(`http://127.0.0.1:${local}/`).catch(() => undefined);
            return res?.ok ? res.text() : undefined;
          },
          20_000,
          `port-forward ${target}`,
        );
        expect(page).toContain("Welcome to nginx!");
        // a second connection through the same session
        expect((await fetch(`http://127.0.0.1:${local}/`)).status).toBe(200);
      } finally {
        child.kill();
      }
    }
  });
});
