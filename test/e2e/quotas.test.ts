import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, kubectl } from "../support/kubectl";
import { startTestPlatform, type TestPlatform } from "../support/platform";

describe("ResourceQuotas and LimitRanges through the real kubectl", () => {
  let platform: TestPlatform;
  let kubeconfig: string;

  beforeAll(async () => {
    platform = await startTestPlatform();
    kubeconfig = (await platform.createCluster("quota")).kubeconfig;
  });
  afterAll(async () => {
    await platform?.close();
  });

  const k = (...args: string[]) => kubectl(kubeconfig, args);
  const apply = (manifest: string) => kubectl(kubeconfig, ["apply", "-f", "-"], { input: manifest });

  it("defaults and bounds containers with a LimitRange", async () => {
    await k("create", "namespace", "limited");
    const range = await apply(`apiVersion: v1
kind: LimitRange
metadata: { name: defaults, namespace: limited }
spec:
  limits:
  - type: Container
    default: { cpu: 200m, memory: 64Mi }
    defaultRequest: { cpu: 100m, memory: 32Mi }
    max: { cpu: 500m }
`);
    expect(range.stdout).toBe("limitrange/defaults created\n");
    await k("run", "plain", "--image=busybox", "-n", "limited", "--", "sleep", "3600");
    const resources = JSON.parse(
      (await k("get", "pod", "plain", "-n", "limited", "-o", "jsonpath={.spec.containers[0].resources}"))
        .stdout,
    );
    expect(resources).toEqual({
      limits: { cpu: "200m", memory: "64Mi" },
      requests: { cpu: "100m", memory: "32Mi" },
    });
    expect(
      (await k("get", "pod", "plain", "-n", "limited", "-o", "jsonpath={.status.qosClass}")).stdout,
    ).toBe("Burstable");
    const big = await apply(`apiVersion: v1
kind: Pod
metadata: { name: big, namespace: limited }
spec:
  containers: [{ name: c, image: busybox, resources: { limits: { cpu: "1" } } }]
`);
    expect(big.stderr).toContain(
      'pods "big" is forbidden: maximum cpu usage per Container is 500m, but limit is 1',
    );
  });

  it("counts a namespace's use, refuses what would exceed it, and shows why on the Deployment", async () => {
    await k("create", "namespace", "capped");
    // the namespace's kube-root-ca.crt counts, as in kube
    await eventually(async () =>
      (await k("get", "configmap", "kube-root-ca.crt", "-n", "capped")).code === 0 ? true : undefined,
    );
    expect(
      (await k("create", "quota", "small", "-n", "capped", "--hard=pods=2,requests.cpu=1,count/configmaps=3"))
        .code,
    ).toBe(0);
    await k("create", "deployment", "web", "--image=nginx", "--replicas=3", "-n", "capped");
    await k("set", "resources", "deployment/web", "-n", "capped", "--requests=cpu=100m");
    const described = await eventually(async () => {
      const out = (await k("get", "quota", "small", "-n", "capped", "--no-headers")).stdout;
      return out.includes("pods: 2/2") ? out : undefined;
    });
    expect(described).toMatch(/count\/configmaps: 1\/3, pods: 2\/2, requests.cpu: 200m\/1/);
    const failure = await eventually(async () => {
      const out = (
        await k(
          "get",
          "deployment",
          "web",
          "-n",
          "capped",
          "-o",
          'jsonpath={.status.conditions[?(@.type=="ReplicaFailure")].message}',
        )
      ).stdout;
      return out || undefined;
    });
    expect(failure).toMatch(
      /^pods "web-[a-z0-9]+-[a-z0-9]+" is forbidden: exceeded quota: small, requested: pods=1, used: pods=2, limited: pods=2$/,
    );
    const events = (await k("get", "events", "-n", "capped", "--field-selector", "reason=FailedCreate"))
      .stdout;
    expect(events).toContain("exceeded quota: small");

    const bare = await k("run", "bare", "--image=busybox", "-n", "capped", "--", "sleep", "1");
    expect(bare.stderr).toContain(
      'pods "bare" is forbidden: failed quota: small: must specify requests.cpu for: bare',
    );
    for (const name of ["one", "two"]) await k("create", "configmap", name, "-n", "capped");
    const third = await k("create", "configmap", "three", "-n", "capped");
    expect(third.stderr).toContain(
      'configmaps "three" is forbidden: exceeded quota: small, requested: count/configmaps=1, used: count/configmaps=3, limited: count/configmaps=3',
    );

    // raising the quota lets the ReplicaSet finish, and the failure goes away
    const raised = await k("patch", "quota", "small", "-n", "capped", "-p", '{"spec":{"hard":{"pods":"3"}}}');
    expect(raised.stdout).toBe("resourcequota/small patched\n");
    await eventually(
      async () =>
        (await k("get", "deployment", "web", "-n", "capped", "-o", "jsonpath={.status.readyReplicas}"))
          .stdout === "3"
          ? true
          : undefined,
      90_000,
      "3 ready replicas",
    ).catch(async (err: Error) => {
      const state = await k("get", "deploy,rs,pods,quota,events", "-n", "capped", "-o", "wide");
      throw new Error(`${err.message}\n${state.stdout}`);
    });
    expect(
      (await k("get", "deployment", "web", "-n", "capped", "-o", "jsonpath={.status.conditions[*].type}"))
        .stdout,
    ).toBe("Available Progressing");
  });
});
