import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubectl } from "../support/kubectl";
import { startTestPlatform, type TestPlatform } from "../support/platform";

const SDK = "/usr/lib/google-cloud-sdk/bin";
const VERSIONS = ["27", "28", "29", "30", "31", "32", "33"].filter((v) =>
  existsSync(`${SDK}/kubectl.1.${v}`),
);

describe.skipIf(VERSIONS.length === 0)("every kubectl from 1.27 to 1.33", () => {
  let platform: TestPlatform;
  let kubeconfig: string;

  beforeAll(async () => {
    platform = await startTestPlatform({ nodeAgent: false });
    kubeconfig = (await platform.createCluster("versions")).kubeconfig;
  });
  afterAll(async () => {
    await platform?.close();
  });

  it.each(VERSIONS)(
    "kubectl 1.%s applies (client- and server-side), re-applies, lists, labels and deletes",
    async (v) => {
      const run = (args: string[], input?: string) => {
        const previous = process.env.KUBECTL;
        process.env.KUBECTL = `${SDK}/kubectl.1.${v}`;
        const result = kubectl(kubeconfig, args, input === undefined ? {} : { input });
        process.env.KUBECTL = previous;
        return result;
      };
      const manifest = (value: string) =>
        `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d${v}}\nspec:\n  replicas: 0\n  selector: {matchLabels: {app: d${v}}}\n  template:\n    metadata: {labels: {app: d${v}}}\n    spec: {containers: [{name: c, image: "nginx:${value}"}]}\n`;
      expect((await run(["apply", "-f", "-"], manifest("1.25"))).stdout).toBe(
        `deployment.apps/d${v} created\n`,
      );
      expect((await run(["apply", "-f", "-"], manifest("1.27"))).stdout).toBe(
        `deployment.apps/d${v} configured\n`,
      );
      expect(
        (
          await run([
            "get",
            "deployment",
            `d${v}`,
            "-o",
            "jsonpath={.spec.template.spec.containers[0].image}",
          ])
        ).stdout,
      ).toBe("nginx:1.27");
      expect((await run(["label", "deployment", `d${v}`, "tier=web"])).stdout).toBe(
        `deployment.apps/d${v} labeled\n`,
      );
      expect((await run(["get", "deployments", "-l", "tier=web", "-o", "name"])).stdout).toContain(
        `deployment.apps/d${v}\n`,
      );
      expect((await run(["delete", "deployment", `d${v}`])).stdout).toBe(`deployment.apps "d${v}" deleted\n`);
      const cm = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ssa${v}}\ndata: {a: "1"}\n`;
      expect((await run(["apply", "--server-side", "-f", "-"], cm)).stdout).toBe(
        `configmap/ssa${v} serverside-applied\n`,
      );
      expect((await run(["apply", "--server-side", "-f", "-"], cm.replace('"1"', '"2"'))).stdout).toBe(
        `configmap/ssa${v} serverside-applied\n`,
      );
      expect((await run(["get", "configmap", `ssa${v}`, "-o", "jsonpath={.data.a}"])).stdout).toBe("2");
    },
  );
});
