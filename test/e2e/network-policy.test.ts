import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dockerFromHost } from "../../workers/node-agent/docker-runtime";
import { NETD_IMAGE } from "../../workers/node-agent/helpers";
import { LABEL } from "../../workers/node-agent/runtime";
import { eventually, kubectl } from "../support/kubectl";
import { startTestPlatform, type TestPlatform } from "../support/platform";

const docker = dockerFromHost(process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock");

/** NetworkPolicy enforced: the Kubernetes tutorial, default-deny, selectors, ipBlock, ports and DNS. */
describe("NetworkPolicy through the real kubectl", () => {
  let platform: TestPlatform;
  let config: string;
  let clusterId: string;

  beforeAll(async () => {
    platform = await startTestPlatform();
    const cluster = await platform.createCluster("netpol");
    config = cluster.kubeconfig;
    clusterId = cluster.id;
  }, 60_000);
  afterAll(async () => {
    await platform?.close();
  });

  const k = (...args: string[]) => kubectl(config, args, { timeoutMs: 120_000 });
  const apply = async (object: unknown) => {
    const r = await kubectl(config, ["apply", "-f", "-"], { input: JSON.stringify(object) });
    expect(r.stderr).not.toContain("Warning");
    expect(r.code).toBe(0);
  };
  const policy = (namespace: string, name: string, spec: unknown) => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name, namespace },
    spec,
  });
  const podIp = async (namespace: string, pod: string) =>
    (await k("get", "pod", pod, "-n", namespace, "-o", "jsonpath={.status.podIP}")).stdout.trim();

  /** Whether `pod` fetches `url` within two seconds (busybox's wget, bounded by `timeout`). */
  const fetches = async (namespace: string, pod: string, url: string) =>
    (
      await kubectl(
        config,
        ["exec", "-n", namespace, pod, "--", "timeout", "2", "wget", "-q", "-O", "-", url],
        {
          timeoutMs: 30_000,
        },
      )
    ).code === 0;
  /** Waits until `pod` does (or does not) fetch `url`: policies apply within seconds, not at once. */
  const settles = (namespace: string, pod: string, url: string, reachable: boolean) =>
    eventually(
      async () => ((await fetches(namespace, pod, url)) === reachable ? true : undefined),
      20_000,
      `${namespace}/${pod} ${reachable ? "reaching" : "refused"} ${url}`,
    );
  const resolves = async (namespace: string, pod: string, name: string) =>
    (
      await kubectl(config, ["exec", "-n", namespace, pod, "--", "timeout", "3", "nslookup", name], {
        timeoutMs: 30_000,
      })
    ).code === 0;

  const run = async (namespace: string, name: string, image: string, labels = "", ...args: string[]) => {
    const label = labels ? [`--labels=${labels}`] : [];
    expect((await k("run", name, "-n", namespace, `--image=${image}`, ...label, ...args)).code).toBe(0);
  };
  const ready = async (namespace: string, ...pods: string[]) => {
    for (const pod of pods)
      expect(
        (await k("wait", "-n", namespace, "--for=condition=Ready", `pod/${pod}`, "--timeout=90s")).code,
      ).toBe(0);
  };

  it("the Kubernetes tutorial: only pods labelled access=true reach nginx through its Service", async () => {
    expect((await k("create", "namespace", "tutorial")).code).toBe(0);
    expect((await k("create", "deployment", "nginx", "-n", "tutorial", "--image=nginx")).code).toBe(0);
    expect((await k("expose", "deployment", "nginx", "-n", "tutorial", "--port=80")).code).toBe(0);
    expect((await k("rollout", "status", "-n", "tutorial", "deployment/nginx", "--timeout=90s")).code).toBe(
      0,
    );
    await run("tutorial", "busybox", "busybox:1.28", "", "--", "sleep", "3600");
    await run("tutorial", "allowed", "busybox:1.28", "access=true", "--", "sleep", "3600");
    await ready("tutorial", "busybox", "allowed");
    await settles("tutorial", "busybox", "http://nginx/", true);

    await apply(
      policy("tutorial", "access-nginx", {
        podSelector: { matchLabels: { app: "nginx" } },
        ingress: [{ from: [{ podSelector: { matchLabels: { access: "true" } } }] }],
      }),
    );
    await settles("tutorial", "busybox", "http://nginx/", false);
    expect(await fetches("tutorial", "allowed", "http://nginx/")).toBe(true);
    // the tutorial's own probe, and what it says
    const spider = (pod: string) =>
      kubectl(config, ["exec", "-n", "tutorial", pod, "--", "wget", "--spider", "--timeout=1", "nginx"]);
    const refused = await spider("busybox");
    expect(refused.code).not.toBe(0);
    expect(refused.stdout + refused.stderr).toContain("wget: download timed out");
    const admitted = await spider("allowed");
    expect(admitted.code).toBe(0);
    expect(admitted.stdout + admitted.stderr).toContain("remote file exists");
    // the pod's address directly: the node's firewall, not only the Service proxy
    const nginx = JSON.parse(
      (await k("get", "pods", "-n", "tutorial", "-l", "app=nginx", "-o", "json")).stdout,
    ).items[0].status.podIP as string;
    expect(await fetches("tutorial", "busybox", `http://${nginx}/`)).toBe(false);
    expect(await fetches("tutorial", "allowed", `http://${nginx}/`)).toBe(true);

    // a label is enough to change a pod's side, both ways
    expect((await k("label", "pod", "busybox", "-n", "tutorial", "access=true")).code).toBe(0);
    await settles("tutorial", "busybox", "http://nginx/", true);
    expect((await k("label", "pod", "allowed", "-n", "tutorial", "access-")).code).toBe(0);
    await settles("tutorial", "allowed", `http://${nginx}/`, false);

    // removing the policy restores traffic
    expect((await k("delete", "networkpolicy", "access-nginx", "-n", "tutorial")).code).toBe(0);
    await settles("tutorial", "allowed", "http://nginx/", true);
    expect(await fetches("tutorial", "allowed", `http://${nginx}/`)).toBe(true);
  });

  it("default-deny ingress, then allowed by podSelector, by namespaceSelector and by named port", async () => {
    for (const ns of ["shop", "blue", "red"]) expect((await k("create", "namespace", ns)).code).toBe(0);
    expect((await k("label", "namespace", "blue", "team=blue")).code).toBe(0);
    await run("shop", "web", "nginx", "app=web", "--port=80");
    await run("shop", "front", "busybox", "role=front", "--", "sleep", "3600");
    await run("shop", "other", "busybox", "", "--", "sleep", "3600");
    await run("blue", "client", "busybox", "", "--", "sleep", "3600");
    await run("red", "client", "busybox", "", "--", "sleep", "3600");
    await ready("shop", "web", "front", "other");
    await ready("blue", "client");
    await ready("red", "client");
    const web = `http://${await podIp("shop", "web")}/`;
    expect(await fetches("red", "client", web)).toBe(true);

    await apply(policy("shop", "default-deny", { podSelector: {}, policyTypes: ["Ingress"] }));
    await settles("shop", "front", web, false);
    expect(await fetches("blue", "client", web)).toBe(false);

    await apply(
      policy("shop", "from-front", {
        podSelector: { matchLabels: { app: "web" } },
        ingress: [{ from: [{ podSelector: { matchLabels: { role: "front" } } }], ports: [{ port: "http" }] }],
      }),
    );
    // `kubectl run --port` names no port: "http" matches nothing yet
    expect(await fetches("shop", "front", web)).toBe(false);
    await apply(
      policy("shop", "from-front", {
        podSelector: { matchLabels: { app: "web" } },
        ingress: [{ from: [{ podSelector: { matchLabels: { role: "front" } } }], ports: [{ port: 80 }] }],
      }),
    );
    await settles("shop", "front", web, true);
    expect(await fetches("shop", "other", web)).toBe(false);

    await apply(
      policy("shop", "from-blue", {
        podSelector: { matchLabels: { app: "web" } },
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: "blue" } } }] }],
      }),
    );
    await settles("blue", "client", web, true);
    expect(await fetches("red", "client", web)).toBe(false);

    // a named container port
    await apply({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "named", namespace: "shop", labels: { app: "named" } },
      spec: { containers: [{ name: "nginx", image: "nginx", ports: [{ name: "web", containerPort: 80 }] }] },
    });
    await ready("shop", "named");
    const named = `http://${await podIp("shop", "named")}/`;
    await settles("shop", "other", named, false);
    await apply(
      policy("shop", "named-port", {
        podSelector: { matchLabels: { app: "named" } },
        ingress: [{ ports: [{ port: "web" }] }],
      }),
    );
    await settles("shop", "other", named, true);
  });

  it("ipBlock with except", async () => {
    expect((await k("create", "namespace", "blocks")).code).toBe(0);
    await run("blocks", "web", "nginx", "app=web", "--port=80");
    await run("blocks", "near", "busybox", "", "--", "sleep", "3600");
    await run("blocks", "far", "busybox", "", "--", "sleep", "3600");
    await ready("blocks", "web", "near", "far");
    const web = `http://${await podIp("blocks", "web")}/`;
    const far = await podIp("blocks", "far");
    await apply(
      policy("blocks", "block", {
        podSelector: { matchLabels: { app: "web" } },
        ingress: [
          {
            from: [
              { ipBlock: { cidr: `${far.split(".").slice(0, 2).join(".")}.0.0/16`, except: [`${far}/32`] } },
            ],
          },
        ],
      }),
    );
    await settles("blocks", "far", web, false);
    expect(await fetches("blocks", "near", web)).toBe(true);
  });

  it("default-deny egress with DNS to kube-dns allowed: names resolve, nothing else leaves", async () => {
    expect((await k("create", "namespace", "locked")).code).toBe(0);
    await run("locked", "app", "busybox", "", "--", "sleep", "3600");
    await ready("locked", "app");
    const nginx = "http://nginx.tutorial.svc.cluster.local/";
    await settles("locked", "app", nginx, true);

    await apply(policy("locked", "deny-egress", { podSelector: {}, policyTypes: ["Egress"] }));
    await eventually(
      async () => ((await resolves("locked", "app", "kubernetes.default")) ? undefined : true),
      20_000,
      "DNS refused",
    );
    expect(await fetches("locked", "app", nginx)).toBe(false);

    await apply(
      policy("locked", "allow-dns", {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [
          {
            to: [
              {
                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
                podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
              },
            ],
            ports: [
              { protocol: "UDP", port: 53 },
              { protocol: "TCP", port: 53 },
            ],
          },
        ],
      }),
    );
    await eventually(
      async () => ((await resolves("locked", "app", "nginx.tutorial.svc.cluster.local")) ? true : undefined),
      20_000,
      "DNS allowed",
    );
    expect(await fetches("locked", "app", nginx)).toBe(false);
    const nginxPod = JSON.parse(
      (await k("get", "pods", "-n", "tutorial", "-l", "app=nginx", "-o", "json")).stdout,
    ).items[0].status.podIP as string;
    expect(await fetches("locked", "app", `http://${nginxPod}/`)).toBe(false);
  });

  it("a container with NET_ADMIN in the pod's network namespace cannot lift enforcement", async () => {
    const refused = await kubectl(config, ["apply", "-f", "-"], {
      input: JSON.stringify({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "admin", namespace: "shop" },
        spec: {
          containers: [
            {
              name: "admin",
              image: "busybox",
              args: ["sleep", "3600"],
              securityContext: { capabilities: { add: ["NET_ADMIN"] } },
            },
          ],
        },
      }),
    });
    expect(refused.stderr).toContain("violates PodSecurity");
    // as a teacher-allowed capability would: a NET_ADMIN container in a refused pod's namespace flushes
    // every rule it can see there
    const [sandbox] = await docker.listContainers({
      filters: { label: [`${LABEL.cluster}=${clusterId}`, `${LABEL.pod}=other`, `${LABEL.container}=POD`] },
    });
    expect(sandbox).toBeDefined();
    const web = `http://${await podIp("shop", "web")}/`;
    expect(await fetches("shop", "other", web)).toBe(false);
    const flush = await docker.createContainer({
      // the platform's netd image has nft and ip
      Image: NETD_IMAGE,
      Entrypoint: ["nft", "flush", "ruleset"],
      HostConfig: { NetworkMode: `container:${sandbox?.Id}`, CapAdd: ["NET_ADMIN"] },
    });
    await flush.start();
    expect((await flush.wait()).StatusCode).toBe(0);
    await flush.remove({ force: true });
    expect(await fetches("shop", "other", web)).toBe(false);
    expect(await fetches("shop", "front", web)).toBe(true);
  });
});
