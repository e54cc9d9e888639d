import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flood } from "../../support/flood";
import { kubectl } from "../../support/kubectl";
import { startTestPlatform, type TestPlatform } from "../../support/platform";

/** One student (or one chart) trying to take the API away from the rest of the class. */
describe("hostile student: the API stays everyone's", () => {
  let platform: TestPlatform;
  let mallory: { id: string; kubeconfig: string; token: string };
  let victim: { id: string; kubeconfig: string; token: string };

  beforeAll(async () => {
    platform = await startTestPlatform({ nodeAgent: false });
    mallory = await platform.createCluster("abuse-mallory");
    victim = await platform.createCluster("abuse-victim");
  });
  afterAll(async () => {
    await platform?.close();
  });

  /** The victim's `GET pods` latencies (ms) while `during` runs. */
  async function victimLatencies(during: Promise<unknown>): Promise<number[]> {
    let done = false;
    void during.finally(() => {
      done = true;
    });
    const latencies: number[] = [];
    const url = `${platform.url}/clusters/${victim.id}/api/v1/namespaces/default/pods`;
    while (!done) {
      const started = performance.now();
      const res = await fetch(url, { headers: { authorization: `Bearer ${victim.token}` } });
      await res.arrayBuffer();
      expect(res.status).toBe(200);
      latencies.push(performance.now() - started);
      await new Promise((r) => setTimeout(r, 50));
    }
    return latencies;
  }

  it("a chart that would render for ever is refused with a 422 naming the limit, and nobody waits for it", async () => {
    const bomb = platform.admin("POST", `/v1/clusters/${mallory.id}/releases`, {
      name: "bomb",
      chart: {
        files: {
          "Chart.yaml": "apiVersion: v2\nname: bomb\nversion: 0.1.0\n",
          "templates/x.yaml":
            "{{ range $i := until 100000 }}{{ range $j := until 100000 }}x{{ end }}{{ end }}",
        },
      },
    });
    const latencies = await victimLatencies(bomb);
    const res = await bomb;
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({
      error: { code: "render_limit", message: "rendering took longer than the limit of 5s" },
    });
    expect(latencies.length).toBeGreaterThan(5);
    expect(Math.max(...latencies)).toBeLessThan(1000);
    const pods = await kubectl(victim.kubeconfig, ["get", "pods"]);
    expect(pods.code).toBe(0);
    expect((await kubectl(mallory.kubeconfig, ["get", "secrets"])).stdout).not.toContain("sh.helm.release");
  });

  it("a flood of requests from one cluster gets kube-apiserver's 429 with Retry-After; another cluster is served", async () => {
    const url = `${platform.url}/clusters/${mallory.id}/api/v1/namespaces/default/configmaps`;
    // twenty loops sending as fast as the API answers, for three seconds
    const answers = flood(url, mallory.token, { loops: 20, ms: 3000 });
    const latencies = await victimLatencies(answers);
    const answered = await answers;
    const limited = answered.filter((a) => a.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(answered.filter((a) => a.status === 200).length).toBeGreaterThan(0);
    expect(limited[0]).toMatchObject({
      retryAfter: "1",
      body: { reason: "TooManyRequests", details: { retryAfterSeconds: 1 } },
    });
    expect(latencies.length).toBeGreaterThan(0);
    expect(Math.max(...latencies)).toBeLessThan(1000);
    // kubectl waits out the 429s and succeeds
    expect((await kubectl(mallory.kubeconfig, ["get", "configmaps"])).code).toBe(0);
  });
});
