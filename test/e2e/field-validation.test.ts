import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubectl } from "../support/kubectl";
import { startTestPlatform, type TestPlatform } from "../support/platform";

const withTypo = JSON.stringify({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web" },
  spec: {
    selector: { matchLabels: { app: "web" } },
    template: {
      metadata: { labels: { app: "web" } },
      spec: { containers: [{ name: "nginx", image: "nginx", imagePullPolicyy: "Never" }] },
    },
  },
});

/** kubectl validates on the server by default (fieldValidation=Strict): a misspelled field is an error. */
describe("field validation through the real kubectl", () => {
  let platform: TestPlatform;
  let kubeconfig: string;

  beforeAll(async () => {
    platform = await startTestPlatform({ nodeAgent: false });
    kubeconfig = (await platform.createCluster("fields")).kubeconfig;
  }, 60_000);
  afterAll(async () => {
    await platform?.close();
  });

  it("refuses a misspelled field with the decoder's error, and stores nothing", async () => {
    const refused = await kubectl(kubeconfig, ["apply", "-f", "-"], { input: withTypo });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(
      'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.template.spec.containers[0].imagePullPolicyy"',
    );
    expect((await kubectl(kubeconfig, ["get", "deployment", "web"])).code).not.toBe(0);
  });

  it("warns and drops it with --validate=warn, as kube-apiserver does", async () => {
    const warned = await kubectl(kubeconfig, ["apply", "--validate=warn", "-f", "-"], { input: withTypo });
    expect(warned.code).toBe(0);
    expect(warned.stderr).toContain(
      'Warning: unknown field "spec.template.spec.containers[0].imagePullPolicyy"',
    );
    const stored = await kubectl(kubeconfig, [
      "get",
      "deployment",
      "web",
      "-o",
      "jsonpath={.spec.template.spec.containers[0]}",
    ]);
    expect(stored.stdout).not.toContain("imagePullPolicyy");
  });

  it("explains any field of the served kinds", async () => {
    const explained = await kubectl(kubeconfig, ["explain", "pod.spec.containers"]);
    expect(explained.stdout).toContain("FIELD: containers <[]Container>");
    expect(explained.stdout).toMatch(/name\t<string> -required-/);
    expect(explained.stdout).toContain("List of containers belonging to the pod.");
    const replicas = await kubectl(kubeconfig, ["explain", "deployment.spec.replicas"]);
    expect(replicas.stdout).toContain("FIELD: replicas <integer>");
  });

  it("checks patches too", async () => {
    const patched = await kubectl(kubeconfig, [
      "patch",
      "deployment",
      "web",
      "-p",
      '{"spec":{"replicaz":3}}',
    ]);
    expect(patched.stderr).toContain('Warning: unknown field "spec.replicaz"');
  });
});
