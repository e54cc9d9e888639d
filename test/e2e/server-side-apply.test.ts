import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubectl } from "../support/kubectl";
import { startTestPlatform, type TestPlatform } from "../support/platform";

const manifest = (opts: { replicas?: number; tier?: boolean; image?: string }) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", labels: { app: "web", ...(opts.tier ? { tier: "front" } : {}) } },
  spec: {
    ...(opts.replicas !== undefined ? { replicas: opts.replicas } : {}),
    selector: { matchLabels: { app: "web" } },
    template: {
      metadata: { labels: { app: "web" } },
      spec: { containers: [{ name: "nginx", image: opts.image ?? "nginx:1.25" }] },
    },
  },
});

describe("server-side apply through the real kubectl", () => {
  let platform: TestPlatform;
  let kubeconfig: string;

  beforeAll(async () => {
    platform = await startTestPlatform({ nodeAgent: false });
    kubeconfig = (await platform.createCluster("ssa")).kubeconfig;
  }, 60_000);
  afterAll(async () => {
    await platform?.close();
  });

  const k = (args: string[], input?: object) =>
    kubectl(kubeconfig, args, input === undefined ? {} : { input: JSON.stringify(input) });
  const get = async (path: string) =>
    (await k(["get", "deployment", "web", "-o", `jsonpath={${path}}`])).stdout;

  it("records who manages which fields", async () => {
    expect(
      (await k(["apply", "--server-side", "-f", "-"], manifest({ replicas: 2, tier: true }))).stdout,
    ).toBe("deployment.apps/web serverside-applied\n");
    expect((await k(["patch", "deployment", "web", "-p", '{"spec":{"replicas":4}}'])).code).toBe(0);
    const managers = await k([
      "get",
      "deployment",
      "web",
      "--show-managed-fields",
      "-o",
      "jsonpath={range .metadata.managedFields[*]}{.manager}/{.operation} {end}",
    ]);
    expect(managers.stdout.trim().split(" ")).toEqual(["kubectl/Apply", "kubectl-patch/Update"]);
  });

  it("refuses to take over another manager's field, then takes it with --force-conflicts", async () => {
    const refused = await k(["apply", "--server-side", "-f", "-"], manifest({ replicas: 2, tier: true }));
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(
      'Apply failed with 1 conflict: conflict with "kubectl-patch" using apps/v1: .spec.replicas',
    );
    expect(await get(".spec.replicas")).toBe("4");
    const forced = await k(
      ["apply", "--server-side", "--force-conflicts", "-f", "-"],
      manifest({ replicas: 2, tier: true }),
    );
    expect(forced.code).toBe(0);
    expect(await get(".spec.replicas")).toBe("2");
  });

  it("removes what the manager stops applying, and leaves what it never set", async () => {
    expect((await k(["scale", "deployment", "web", "--replicas=3"])).code).toBe(0);
    const next = await k(["apply", "--server-side", "-f", "-"], manifest({ image: "nginx:1.27" }));
    expect(next.code).toBe(0);
    expect(await get(".metadata.labels")).toBe('{"app":"web"}');
    expect(await get(".spec.template.spec.containers[0].image")).toBe("nginx:1.27");
    expect(await get(".spec.replicas")).toBe("3");
  });
});
