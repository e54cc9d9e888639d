import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, kubectl } from "../support/kubectl";
import { startTestPlatform, type TestPlatform } from "../support/platform";

const website = (replicas: number, message: string) => `apiVersion: examples.timonier.io/v1
kind: Website
metadata:
  name: hello
  namespace: shop
spec:
  replicas: ${replicas}
  message: ${message}
`;

/**
 * The catalog's website operator: installed through the releases API, it runs in a pod, watches its custom
 * resource through the in-cluster API and turns each Website into a serving Deployment.
 */
describe("the website operator example", () => {
  let platform: TestPlatform;
  let kubeconfig: string;

  beforeAll(async () => {
    platform = await startTestPlatform();
    const cluster = await platform.createCluster("operator");
    kubeconfig = cluster.kubeconfig;
    const installed = await platform.admin("POST", `/v1/clusters/${cluster.id}/releases`, {
      name: "site",
      chart: { catalog: "website" },
    });
    expect(installed.status, await installed.clone().text()).toBe(201);
    expect(((await installed.json()) as { notes: string }).notes).toContain(
      "watches Websites in every namespace",
    );
  }, 60_000);
  afterAll(async () => {
    await platform?.close();
  });

  const k = (...args: string[]) => kubectl(kubeconfig, args, { timeoutMs: 120_000 });
  const shop = (...args: string[]) => k("-n", "shop", ...args);
  const page = async () =>
    (await shop("exec", "deploy/hello", "--", "curl", "-s", "http://hello.shop.svc.cluster.local/")).stdout;
  const field = async (path: string) =>
    (await shop("get", "website", "hello", "-o", `jsonpath={${path}}`)).stdout;

  it("runs with the chart's least-privilege ServiceAccount", async () => {
    expect((await k("rollout", "status", "deployment/site-operator", "--timeout=90s")).code).toBe(0);
    const can = async (...args: string[]) =>
      (await k("auth", "can-i", ...args, "--as=system:serviceaccount:default:site-operator")).stdout.trim();
    expect(await can("watch", "websites.examples.timonier.io", "-A")).toBe("yes");
    expect(await can("patch", "deployments.apps", "-n", "shop")).toBe("yes");
    expect(await can("delete", "deployments.apps", "-n", "shop")).toBe("no");
    expect(await can("get", "secrets", "-n", "shop")).toBe("no");
  });

  it("turns a Website into a Deployment that serves its page, and reports it in the Website's status", async () => {
    expect((await k("create", "namespace", "shop")).code).toBe(0);
    expect(
      (await kubectl(kubeconfig, ["apply", "-f", "-"], { input: website(2, "Hello from my operator") })).code,
    ).toBe(0);

    await eventually(
      async () => ((await field(".status.readyReplicas")) === "2" ? true : undefined),
      120_000,
    );
    expect(await field('.status.conditions[?(@.type=="Ready")].status')).toBe("True");
    expect(await field(".status.url")).toBe("http://hello.shop.svc.cluster.local/");
    expect(await field(".status.observedGeneration")).toBe("1");
    const deployment = JSON.parse((await shop("get", "deployment", "hello", "-o", "json")).stdout);
    expect(deployment.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: "Website", name: "hello", controller: true }),
    ]);
    expect(deployment.status.availableReplicas).toBe(2);
    expect(await page()).toContain("<h1>Hello from my operator</h1>");

    const table = (await shop("get", "ws")).stdout;
    expect(table).toMatch(/^NAME\s+REPLICAS\s+READY\s+URL\s+AGE\n/);
    expect(table).toMatch(/hello\s+2\s+True\s+http:\/\/hello\.shop\.svc\.cluster\.local\//);
  });

  it("follows the Website: scaled through its scale subresource, its page edited", async () => {
    expect((await shop("scale", "website", "hello", "--replicas=3")).code).toBe(0);
    await eventually(
      async () => ((await field(".status.readyReplicas")) === "3" ? true : undefined),
      120_000,
    );
    expect((await shop("get", "deployment", "hello", "-o", "jsonpath={.spec.replicas}")).stdout).toBe("3");

    expect(
      (await kubectl(kubeconfig, ["apply", "-f", "-"], { input: website(3, "Second edition") })).code,
    ).toBe(0);
    await eventually(async () => ((await page()).includes("Second edition") ? true : undefined), 120_000);
  });

  it("leaves nothing behind when the Website is deleted", async () => {
    expect((await shop("delete", "website", "hello")).code).toBe(0);
    await eventually(async () => {
      const left = (
        await shop(
          "get",
          "deployments,services,configmaps",
          "-l",
          "app.kubernetes.io/instance=hello",
          "-o",
          "name",
        )
      ).stdout;
      return left === "" ? true : undefined;
    }, 60_000);
  });
});
