import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, kubectl } from "../support/kubectl";
import { startTestPlatform, type TestPlatform } from "../support/platform";

describe("a CronJob every minute, driven by the real kubectl", () => {
  let platform: TestPlatform;
  let kubeconfig: string;

  beforeAll(async () => {
    platform = await startTestPlatform();
    kubeconfig = (await platform.createCluster("cron")).kubeconfig;
  });
  afterAll(async () => {
    await platform?.close();
  });

  const k = (...args: string[]) => kubectl(kubeconfig, args);

  it("starts a job at the next minute that runs to completion", async () => {
    const created = await k(
      "create",
      "cronjob",
      "hello",
      "--image=busybox",
      "--schedule=* * * * *",
      "--",
      "echo",
      "hello",
    );
    expect(created.stdout).toBe("cronjob.batch/hello created\n");
    expect((await k("get", "cronjobs")).stdout).toMatch(
      /hello\s+\* \* \* \* \*\s+<none>\s+False\s+0\s+<none>/,
    );
    const job = await eventually(
      async () => {
        const out = (await k("get", "jobs", "-o", "jsonpath={.items[0].metadata.name}")).stdout;
        return out || undefined;
      },
      75_000,
      "the first scheduled job",
    );
    expect(job).toMatch(/^hello-\d+$/);
    expect((await k("wait", "--for=condition=complete", `job/${job}`, "--timeout=60s")).code).toBe(0);
    expect((await k("logs", `job/${job}`)).stdout).toBe("hello\n");
    const last = (await k("get", "cronjob", "hello", "-o", "jsonpath={.status.lastScheduleTime}")).stdout;
    expect(last).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:00Z$/);
    await k("delete", "cronjob", "hello");
    await eventually(
      async () => ((await k("get", "jobs,pods", "-o", "name")).stdout === "" ? true : undefined),
      60_000,
    );
  }, 200_000);
});
