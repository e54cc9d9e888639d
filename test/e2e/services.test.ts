import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubectl } from "../support/kubectl";
import { startTestPlatform, type TestPlatform } from "../support/platform";

describe("services through the real kubectl", () => {
  let platform: TestPlatform;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    platform = await startTestPlatform();
    alice = (await platform.createCluster("svc-alice")).kubeconfig;
    bob = (await platform.createCluster("svc-bob")).kubeconfig;
  });
  afterAll(async () => {
    await platform?.close();
  });

  const k = (...args: string[]) => kubectl(alice, args, { timeoutMs: 120_000 });
  const json = async (...args: string[]) => JSON.parse((await k(...args, "-o", "json")).stdout);

  it("starts with the kubernetes and kube-dns services of a kubeadm cluster", async () => {
    const table = (await k("get", "svc")).stdout;
    expect(table).toMatch(/^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE/);
    expect(table).toMatch(/kubernetes\s+ClusterIP\s+10\.\d+\.\d+\.1\s+<none>\s+443\/TCP/);
    const dns = await json("get", "svc", "kube-dns", "-n", "kube-system");
    expect(dns.spec.clusterIP).toMatch(/\.10$/);
  });

  it("creates the course's NodePort service with a ClusterIP and a node port", async () => {
    const created = await k("create", "service", "nodeport", "monnginx", "--tcp=8080:80");
    expect(created.stdout).toBe("service/monnginx created\n");
    const svc = await json("get", "svc", "monnginx");
    const kubernetes = await json("get", "svc", "kubernetes");
    expect(svc.spec.type).toBe("NodePort");
    expect(svc.spec.clusterIP.split(".").slice(0, 3)).toEqual(
      kubernetes.spec.clusterIP.split(".").slice(0, 3),
    );
    expect(svc.spec.ports[0]).toMatchObject({ port: 8080, targetPort: 80, protocol: "TCP" });
    expect(svc.spec.ports[0].nodePort).toBeGreaterThanOrEqual(30000);
    expect(svc.spec.ports[0].nodePort).toBeLessThanOrEqual(32767);
    expect((await k("get", "svc", "monnginx")).stdout).toMatch(
      new RegExp(
        `monnginx\\s+NodePort\\s+${svc.spec.clusterIP}\\s+<none>\\s+8080:${svc.spec.ports[0].nodePort}/TCP`,
      ),
    );
  });

  it("keeps the ClusterIP and node port through kubectl apply and replace", async () => {
    const before = await json("get", "svc", "monnginx");
    const manifest = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "monnginx", labels: { tier: "web" } },
      spec: { type: "NodePort", selector: { app: "monnginx" }, ports: [{ port: 8080, targetPort: 80 }] },
    };
    expect((await kubectl(alice, ["replace", "-f", "-"], { input: JSON.stringify(manifest) })).code).toBe(0);
    const after = await json("get", "svc", "monnginx");
    expect(after.spec.clusterIP).toBe(before.spec.clusterIP);
    expect(after.spec.ports[0].nodePort).toBe(before.spec.ports[0].nodePort);
    const changed = await k("patch", "svc", "monnginx", "-p", '{"spec":{"clusterIP":"10.0.0.1"}}');
    expect(changed.code).not.toBe(0);
    expect(changed.stderr).toContain("spec.clusterIPs[0]: Invalid value");
  });

  it("refuses a node port another cluster holds, with kube-apiserver's message, and frees it on delete", async () => {
    const port = (await json("get", "svc", "monnginx")).spec.ports[0].nodePort;
    const taken = await kubectl(bob, [
      "create",
      "service",
      "nodeport",
      "other",
      "--tcp=80:80",
      `--node-port=${port}`,
    ]);
    expect(taken.code).not.toBe(0);
    expect(taken.stderr).toContain(
      `spec.ports[0].nodePort: Invalid value: ${port}: provided port is already allocated`,
    );
    expect((await kubectl(bob, ["get", "svc", "other"])).code).not.toBe(0);
    expect((await k("delete", "svc", "monnginx")).code).toBe(0);
    const retry = await kubectl(bob, [
      "create",
      "service",
      "nodeport",
      "other",
      "--tcp=80:80",
      `--node-port=${port}`,
    ]);
    expect(retry.code).toBe(0);
  });

  it("serves headless, ExternalName and LoadBalancer services", async () => {
    expect(
      (await k("create", "service", "clusterip", "db", "--clusterip=None", "--tcp=5432:5432")).code,
    ).toBe(0);
    expect((await json("get", "svc", "db")).spec.clusterIP).toBe("None");
    expect((await k("create", "service", "externalname", "search", "--external-name=example.org")).code).toBe(
      0,
    );
    expect((await k("get", "svc", "search")).stdout).toMatch(/search\s+ExternalName\s+<none>\s+example\.org/);
    expect((await k("create", "service", "loadbalancer", "front", "--tcp=80:8080")).code).toBe(0);
    const lb = await json("get", "svc", "front");
    expect(lb.status.loadBalancer.ingress[0].ip).toMatch(/^127\./);
    expect(lb.spec.ports[0].nodePort).toBeGreaterThanOrEqual(30000);
  });

  it("stores NetworkPolicies without a warning: they are enforced (test/e2e/network-policy.test.ts)", async () => {
    const policy = {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "deny-all" },
      spec: { podSelector: {}, policyTypes: ["Ingress"] },
    };
    const created = await kubectl(alice, ["apply", "-f", "-"], { input: JSON.stringify(policy) });
    expect(created.code).toBe(0);
    expect(created.stderr).not.toContain("Warning");
    expect((await k("get", "netpol")).stdout).toContain("deny-all");
    expect((await k("delete", "netpol", "deny-all")).code).toBe(0);
  });

  it("answers bad services as kube-apiserver does", async () => {
    const bad = await kubectl(alice, ["create", "-f", "-"], {
      input: JSON.stringify({
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "1bad" },
        spec: { ports: [{ port: 70000 }] },
      }),
    });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('Service "1bad" is invalid');
    expect(bad.stderr).toContain("a DNS-1035 label must consist of lower case alphanumeric characters");
    expect(bad.stderr).toContain(
      "spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive",
    );
    const forbidden = await k(
      "create",
      "service",
      "clusterip",
      "x",
      "--tcp=80:80",
      "--dry-run=client",
      "-o",
      "json",
    );
    const withNodePort = JSON.parse(forbidden.stdout);
    withNodePort.spec.ports[0].nodePort = 30001;
    const refused = await kubectl(alice, ["create", "-f", "-"], { input: JSON.stringify(withNodePort) });
    expect(refused.stderr).toContain(
      "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
    );
  });
});
