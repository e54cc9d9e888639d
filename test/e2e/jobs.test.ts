import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubectl } from "../support/kubectl";
import { startTestPlatform, type TestPlatform } from "../support/platform";

describe("jobs driven by the real kubectl", () => {
  let platform: TestPlatform;
  let kubeconfig: string;

  beforeAll(async () => {
    platform = await startTestPlatform();
    kubeconfig = (await platform.createCluster("jobs")).kubeconfig;
  });
  afterAll(async () => {
    await platform?.close();
  });

  const k = (args: string[], input?: string) =>
    kubectl(kubeconfig, args, { timeoutMs: 180_000, ...(input ? { input } : {}) });

  it("computes 2000 digits of pi twice, one pod at a time, and shows the result", async () => {
    const manifest = `apiVersion: batch/v1
kind: Job
metadata: { name: pi }
spec:
  completions: 2
  parallelism: 1
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: pi
        image: perl
        command: ["perl", "-Mbignum=bpi", "-wle", "print bpi(2000)"]
`;
    expect((await k(["apply", "-f", "-"], manifest)).stdout).toBe("job.batch/pi created\n");
    const waited = await k(["wait", "--for=condition=complete", "job/pi", "--timeout=150s"]);
    expect(waited.stdout).toBe("job.batch/pi condition met\n");
    const table = (await k(["get", "jobs"])).stdout;
    expect(table).toMatch(/^NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE/);
    expect(table).toMatch(/pi\s+Complete\s+2\/2\s+/);
    const logs = (await k(["logs", "job/pi"])).stdout;
    expect(logs.startsWith("3.14159265358979323846")).toBe(true);
    expect(logs.trim()).toHaveLength(2001);
    const pods = (await k(["get", "pods", "-l", "job-name=pi", "-o", "jsonpath={.items[*].status.phase}"]))
      .stdout;
    expect(pods).toBe("Succeeded Succeeded");
  });

  it("gives up after backoffLimit failures", async () => {
    // the limit set at creation: patched in afterwards, a third pod could start before it landed
    const job = {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "fail" },
      spec: {
        backoffLimit: 1,
        template: {
          spec: {
            restartPolicy: "Never",
            containers: [{ name: "fail", image: "busybox", command: ["sh", "-c", "exit 1"] }],
          },
        },
      },
    };
    const created = await k(["create", "-f", "-"], JSON.stringify(job));
    expect(created.stdout).toBe("job.batch/fail created\n");
    const waited = await k(["wait", "--for=condition=failed", "job/fail", "--timeout=150s"]);
    expect(waited.stdout).toBe("job.batch/fail condition met\n");
    const reason = await k([
      "get",
      "job",
      "fail",
      "-o",
      'jsonpath={.status.conditions[?(@.type=="Failed")].reason}',
    ]);
    expect(reason.stdout).toBe("BackoffLimitExceeded");
    expect((await k(["get", "job", "fail", "-o", "jsonpath={.status.failed}"])).stdout).toBe("2");
  });
  it("fails at once on an exit code its podFailurePolicy calls fatal", async () => {
    const job = (restartPolicy: string) => ({
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "fatal" },
      spec: {
        backoffLimit: 6,
        podFailurePolicy: {
          rules: [
            { action: "FailJob", onExitCodes: { containerName: "main", operator: "In", values: [42] } },
          ],
        },
        template: {
          spec: {
            restartPolicy,
            containers: [{ name: "main", image: "busybox", command: ["sh", "-c", "exit 42"] }],
          },
        },
      },
    });
    const refused = await kubectl(kubeconfig, ["apply", "-f", "-"], {
      input: JSON.stringify(job("OnFailure")),
    });
    expect(refused.stderr).toContain(
      'spec.template.spec.restartPolicy: Invalid value: "OnFailure": only "Never" is supported when podFailurePolicy is specified',
    );
    expect(
      (await kubectl(kubeconfig, ["apply", "-f", "-"], { input: JSON.stringify(job("Never")) })).code,
    ).toBe(0);
    expect((await k(["wait", "--for=condition=failed", "job/fatal", "--timeout=60s"])).code).toBe(0);
    const failed = JSON.parse((await k(["get", "job", "fatal", "-o", "json"])).stdout);
    expect(failed.status.conditions.find((c: { type: string }) => c.type === "Failed")).toMatchObject({
      reason: "PodFailurePolicy",
      message: expect.stringMatching(
        /^Container main for pod default\/fatal-\w+ failed with exit code 42 matching FailJob rule at index 0$/,
      ),
    });
    expect(failed.status.failed).toBe(1);
  });

  it("runs an Indexed job: one pod per completion index, each told its index", async () => {
    const indexed = {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "shards" },
      spec: {
        completionMode: "Indexed",
        completions: 3,
        parallelism: 2,
        template: {
          spec: {
            restartPolicy: "Never",
            containers: [
              {
                name: "c",
                image: "busybox",
                command: ["sh", "-c", "echo shard $JOB_COMPLETION_INDEX of $(hostname)"],
              },
            ],
          },
        },
      },
    };
    expect((await kubectl(kubeconfig, ["apply", "-f", "-"], { input: JSON.stringify(indexed) })).code).toBe(
      0,
    );
    expect(
      (
        await kubectl(kubeconfig, ["wait", "--for=condition=complete", "job/shards", "--timeout=90s"], {
          timeoutMs: 100_000,
        })
      ).code,
    ).toBe(0);
    const job = JSON.parse((await kubectl(kubeconfig, ["get", "job", "shards", "-o", "json"])).stdout);
    expect(job.status).toMatchObject({ succeeded: 3, completedIndexes: "0-2" });
    const pods = JSON.parse(
      (await kubectl(kubeconfig, ["get", "pods", "-l", "batch.kubernetes.io/job-name=shards", "-o", "json"]))
        .stdout,
    ).items as { metadata: { name: string } }[];
    const logs = await Promise.all(
      pods.map(async (p) => (await kubectl(kubeconfig, ["logs", p.metadata.name])).stdout.trim()),
    );
    expect(logs.sort()).toEqual(["shard 0 of shards-0", "shard 1 of shards-1", "shard 2 of shards-2"]);
  });
});
