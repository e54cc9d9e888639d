import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubectl } from "../../support/kubectl";
import { startTestPlatform, type TestPlatform } from "../../support/platform";

/**
 * A hostile student, cluster-admin in their own cluster, probing the walls around it through their
 * kubeconfig only: every probe is refused the way kube-apiserver refuses it, and leaves nothing behind.
 */
describe("hostile student: the API's walls", () => {
  let platform: TestPlatform;
  let mallory: { id: string; kubeconfig: string; token: string };
  let victim: { id: string; kubeconfig: string; token: string };

  beforeAll(async () => {
    platform = await startTestPlatform({ nodeAgent: false });
    mallory = await platform.createCluster("hostile-mallory");
    victim = await platform.createCluster("hostile-victim");
  });
  afterAll(async () => {
    await platform?.close();
  });

  const k = (args: string[], input?: string) =>
    kubectl(mallory.kubeconfig, args, { timeoutMs: 30_000, ...(input === undefined ? {} : { input }) });
  const apply = (obj: unknown) => k(["apply", "-f", "-"], JSON.stringify(obj));
  const json = async (args: string[]) => JSON.parse((await k([...args, "-o", "json"])).stdout);

  /** A pod address of the victim's block: its kube-dns ClusterIP's block, lower half. */
  async function victimPodAddress(): Promise<string> {
    const dns = JSON.parse(
      (await kubectl(victim.kubeconfig, ["get", "svc", "kube-dns", "-n", "kube-system", "-o", "json"]))
        .stdout,
    );
    const [a, b, c] = (dns.spec.clusterIP as string).split(".").map(Number);
    return `${a}.${b}.${(c as number) - 1}.7`;
  }

  it("cannot point Endpoints at the node's loopback or link-local addresses (kube-apiserver's messages)", async () => {
    await k(["create", "service", "clusterip", "db", "--tcp=5432:5432"]);
    const loopback = await apply({
      apiVersion: "v1",
      kind: "Endpoints",
      metadata: { name: "db" },
      subsets: [{ addresses: [{ ip: "127.0.0.1" }], ports: [{ port: 54329 }] }],
    });
    expect(loopback.code).not.toBe(0);
    expect(loopback.stderr).toContain(
      'subsets[0].addresses[0].ip: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
    );
    const metadata = await apply({
      apiVersion: "discovery.k8s.io/v1",
      kind: "EndpointSlice",
      metadata: { name: "db-evil", labels: { "kubernetes.io/service-name": "db" } },
      addressType: "IPv4",
      endpoints: [{ addresses: ["169.254.169.254"] }],
      ports: [{ port: 80, protocol: "TCP" }],
    });
    expect(metadata.code).not.toBe(0);
    expect(metadata.stderr).toContain(
      'endpoints[0].addresses[0]: Invalid value: "169.254.169.254": may not be in the link-local range',
    );
    expect((await k(["get", "endpointslice", "db-evil"])).code).not.toBe(0);
  });

  it("cannot point an EndpointSlice at another cluster's pods, at the node, or outside its block", async () => {
    const foreign = await victimPodAddress();
    for (const address of [foreign, "172.17.0.1", "10.0.0.1"]) {
      const refused = await apply({
        apiVersion: "discovery.k8s.io/v1",
        kind: "EndpointSlice",
        metadata: { name: "db-foreign", labels: { "kubernetes.io/service-name": "db" } },
        addressType: "IPv4",
        endpoints: [{ addresses: [address] }],
        ports: [{ port: 80, protocol: "TCP" }],
      });
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain(
        `endpoints[0].addresses[0]: Invalid value: "${address}": must be a pod address`,
      );
    }
    const svc = await json(["get", "svc", "kubernetes"]);
    const [a, b, c] = (svc.spec.clusterIP as string).split(".").map(Number);
    const gateway = `${a}.${b}.${(c as number) - 1}.1`;
    const own = `${a}.${b}.${(c as number) - 1}.9`;
    const node = await apply({
      apiVersion: "v1",
      kind: "Endpoints",
      metadata: { name: "db" },
      subsets: [{ addresses: [{ ip: gateway }], ports: [{ port: 8080 }] }],
    });
    expect(node.code).not.toBe(0);
    const mine = await apply({
      apiVersion: "v1",
      kind: "Endpoints",
      metadata: { name: "db" },
      subsets: [{ addresses: [{ ip: own }], ports: [{ port: 5432 }] }],
    });
    expect(mine.stderr).not.toContain("Invalid");
    expect(mine.code).toBe(0);
  });

  it("cannot claim external IPs for a Service (kube-apiserver's DenyServiceExternalIPs)", async () => {
    const claimed = await apply({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "intercept" },
      spec: { ports: [{ port: 5432 }], externalIPs: ["127.0.0.1"] },
    });
    expect(claimed.code).not.toBe(0);
    expect(claimed.stderr).toContain(
      'services "intercept" is forbidden: use of external IPs is denied by admission control',
    );
    expect((await k(["patch", "svc", "db", "-p", '{"spec":{"externalIPs":["10.0.0.1"]}}'])).stderr).toContain(
      "use of external IPs is denied",
    );
  });

  it("cannot choose a pod's uid: the server makes its own, as kube-apiserver does", async () => {
    const chosen = randomUUID();
    const created = await apply({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "borrowed", uid: victim.id },
      spec: { containers: [{ name: "c", image: "busybox" }] },
    });
    expect(created.code).toBe(0);
    const pod = await json(["get", "pod", "borrowed"]);
    expect(pod.metadata.uid).not.toBe(victim.id);
    expect(pod.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    const raw = await fetch(`${platform.url}/clusters/${mallory.id}/api/v1/namespaces/default/configmaps`, {
      method: "POST",
      headers: { authorization: `Bearer ${mallory.token}`, "content-type": "application/json" },
      body: JSON.stringify({
        metadata: { name: "stamped", uid: chosen, creationTimestamp: "2001-01-01T00:00:00Z" },
      }),
    });
    const body = (await raw.json()) as { metadata: { uid: string; creationTimestamp: string } };
    expect(raw.status).toBe(201);
    expect(body.metadata.uid).not.toBe(chosen);
    expect(body.metadata.creationTimestamp).not.toBe("2001-01-01T00:00:00Z");
  });

  it("cannot send an object over kube-apiserver's 3 MiB limit: 413, and nothing stored", async () => {
    const big = "x".repeat(4 * 1024 * 1024);
    const res = await fetch(`${platform.url}/clusters/${mallory.id}/api/v1/namespaces/default/configmaps`, {
      method: "POST",
      headers: { authorization: `Bearer ${mallory.token}`, "content-type": "application/json" },
      body: JSON.stringify({ metadata: { name: "huge" }, data: { big } }),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({
      kind: "Status",
      code: 413,
      reason: "RequestEntityTooLarge",
      message: "Request entity too large: limit is 3145728",
    });
    expect((await k(["get", "configmap", "huge"])).code).not.toBe(0);
  });

  it("cannot hold more than its share of the platform's NodePorts (a quota the cluster cannot change)", async () => {
    for (let i = 0; i < 10; i++) {
      const made = await k(["create", "service", "nodeport", `np-${i}`, "--tcp=80:80"]);
      expect(made.stderr).toBe("");
    }
    const refused = await k(["create", "service", "nodeport", "np-10", "--tcp=80:80"]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(
      'services "np-10" is forbidden: exceeded quota: timonier-platform, requested: services.nodeports=1, used: services.nodeports=10, limited: services.nodeports=10',
    );
    // an update that takes no new port is never refused; the victim still gets ports
    expect((await k(["label", "svc", "np-0", "touched=yes"])).code).toBe(0);
    const theirs = await kubectl(victim.kubeconfig, ["create", "service", "nodeport", "web", "--tcp=80:80"]);
    expect(theirs.stderr).toBe("");
  });

  it("never sees internal error text: malformed ids are not found, not a 500 quoting SQL", async () => {
    const kube = await fetch(`${platform.url}/clusters/not-a-uuid/api/v1/namespaces/default/pods`, {
      headers: { authorization: `Bearer ${platform.adminToken}` },
    });
    expect(kube.status).toBe(404);
    expect(await kube.text()).not.toMatch(/select|insert|params/i);
    const management = await platform.admin("GET", "/v1/clusters/not-a-uuid");
    expect(management.status).toBe(404);
    expect(await management.text()).not.toMatch(/select|params/i);
    const deleted = await fetch(
      `${platform.url}/clusters/${mallory.id}/api/v1/namespaces/default/configmaps/stamped`,
      {
        method: "DELETE",
        headers: { authorization: `Bearer ${mallory.token}`, "content-type": "application/json" },
        body: JSON.stringify({ preconditions: { uid: "' or 1=1 --" } }),
      },
    );
    expect(deleted.status).toBe(409);
    expect(await deleted.text()).not.toMatch(/select|params/i);
  });
});
