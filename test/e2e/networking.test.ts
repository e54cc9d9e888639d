import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, kubectl } from "../support/kubectl";
import { startTestPlatform, type TestPlatform } from "../support/platform";

/** The course's networking exercises, end to end: kubectl, the netd containers, and curl on loopback. */
describe("networking through the real kubectl", () => {
  let platform: TestPlatform;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    platform = await startTestPlatform();
    alice = (await platform.createCluster("net-alice")).kubeconfig;
    bob = (await platform.createCluster("net-bob")).kubeconfig;
  }, 60_000);
  afterAll(async () => {
    await platform?.close();
  });

  const k = (...args: string[]) => kubectl(alice, args, { timeoutMs: 120_000 });
  const inPod = (config: string, pod: string, command: string) =>
    kubectl(config, ["exec", pod, "--", "sh", "-c", command], { timeoutMs: 30_000 });

  it("serves an nginx deployment on 127.0.0.1:<nodePort> through `kubectl create service nodeport`", async () => {
    expect((await k("create", "deployment", "monnginx", "--image=nginx", "--replicas=2")).code).toBe(0);
    expect((await k("create", "service", "nodeport", "monnginx", "--tcp=8080:80")).code).toBe(0);
    expect((await k("rollout", "status", "deployment/monnginx", "--timeout=90s")).code).toBe(0);
    const svc = JSON.parse((await k("get", "svc", "monnginx", "-o", "json")).stdout);
    const nodePort = svc.spec.ports[0].nodePort as number;
    const page = await eventually(
      async () => {
        const res = await fetch(`http://127.0.0.1:${nodePort}/`).catch(() => undefined);
        return res?.ok ? res.text() : undefined;
      },
      30_000,
      "the node port to answer",
    );
    expect(page).toContain("Welcome to nginx!");
    const endpoints = (await k("get", "endpoints", "monnginx")).stdout;
    expect(endpoints).toMatch(/monnginx\s+\d+\.\d+\.\d+\.\d+:80,\d+\.\d+\.\d+\.\d+:80/);
  });

  it("lets a pod reach the service by its short and full names on the service port", async () => {
    expect((await k("run", "client", "--image=busybox", "--", "sleep", "3600")).code).toBe(0);
    expect((await k("wait", "--for=condition=Ready", "pod/client", "--timeout=60s")).code).toBe(0);
    for (const name of ["monnginx", "monnginx.default", "monnginx.default.svc.cluster.local"]) {
      const got = await eventually(
        async () => {
          const r = await inPod(alice, "client", `timeout 3 wget -q -O - http://${name}:8080/`);
          return r.code === 0 ? r.stdout : undefined;
        },
        20_000,
        `${name}:8080`,
      );
      expect(got).toContain("Welcome to nginx!");
    }
    const resolv = (await inPod(alice, "client", "cat /etc/resolv.conf")).stdout;
    expect(resolv).toContain("search default.svc.cluster.local svc.cluster.local cluster.local");
    expect(resolv).toContain("ndots:5");
  });

  it("follows scaling and readiness: no request reaches a pod that is gone", async () => {
    expect((await k("scale", "deployment/monnginx", "--replicas=1")).code).toBe(0);
    await eventually(
      async () => {
        const ep = JSON.parse((await k("get", "endpoints", "monnginx", "-o", "json")).stdout);
        return ep.subsets?.[0]?.addresses?.length === 1 ? true : undefined;
      },
      30_000,
      "one endpoint",
    );
    for (let i = 0; i < 6; i++) {
      const r = await inPod(
        alice,
        "client",
        "timeout 3 wget -q -O /dev/null http://monnginx:8080/ && echo ok",
      );
      expect(r.stdout.trim()).toBe("ok");
    }
  });

  it("keeps clusters apart: no pod IP, service address or name of another cluster is reachable", async () => {
    const podIp = JSON.parse((await k("get", "pods", "-l", "app=monnginx", "-o", "json")).stdout).items[0]
      .status.podIP;
    const clusterIp = JSON.parse((await k("get", "svc", "monnginx", "-o", "json")).stdout).spec.clusterIP;
    expect((await kubectl(bob, ["run", "intruder", "--image=busybox", "--", "sleep", "3600"])).code).toBe(0);
    expect(
      (await kubectl(bob, ["wait", "--for=condition=Ready", "pod/intruder", "--timeout=60s"])).code,
    ).toBe(0);
    for (const target of [`${podIp}:80`, `${clusterIp}:8080`, "monnginx.default.svc.cluster.local:8080"]) {
      const r = await inPod(bob, "intruder", `timeout 2 wget -q -O - http://${target}/`);
      expect(r.code, target).not.toBe(0);
    }
    // and alice's own client still reaches both
    expect(
      (await inPod(alice, "client", `timeout 3 wget -q -O /dev/null http://${podIp}:80/ && echo ok`)).stdout,
    ).toContain("ok");
  });
});
