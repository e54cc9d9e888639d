import { request as httpRequest } from "node:http";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatIp, parseIp } from "../../core/network/cidr";
import { clusterNetwork, isPodAddress } from "../../core/network/cluster-network";
import { LABEL } from "../../workers/node-agent/runtime";
import { type DockerLab, type LabEngine, registerLabNodes, startDockerLab } from "../support/docker-lab";
import { eventually, kubectl } from "../support/kubectl";
import { startTestPlatform, type TestPlatform } from "../support/platform";

interface PodItem {
  metadata: { name: string; uid: string };
  spec: { nodeName?: string };
  status: { phase: string; podIP?: string };
}

const GRACE_SECONDS = 12;
const TOLERATION_SECONDS = 8;
const NAMES = ["lab-1", "lab-2", "lab-3"];

type SwarmInfo = { LocalNodeState: string; ControlAvailable: boolean; NodeID: string };
/** A page through a node's Ingress port, by host name: its body on a 200, else undefined. */
const page = (address: string, port: number, host: string) =>
  new Promise<string | undefined>((resolve) => {
    const req = httpRequest({ host: address, port, path: "/", headers: { host }, timeout: 3000 }, (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve(res.statusCode === 200 ? body : undefined));
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(undefined));
    req.end();
  });

const swarmOf = async (docker: Docker) => ((await docker.info()) as { Swarm: SwarmInfo }).Swarm;

/**
 * One data plane over several Docker hosts (the lab's engines, each its own machine): the platform makes
 * them one Swarm through the Engine API, each cluster one overlay network over them; pods reach each other
 * by IP and name across nodes, a Service answers from every node's NodePort, a node's death costs the
 * Service requests only until its pods run elsewhere, and another cluster on the same nodes reaches nothing.
 */
describe("a data plane over several nodes", () => {
  let lab: DockerLab;
  let platform: TestPlatform;
  let a: string;
  let b: string;
  let bId: string;
  let podRangeA: string;
  let nodePort: number;
  const engine = (name: string) => lab.engines[NAMES.indexOf(name)] as LabEngine;

  const pods = async (kubeconfig: string, selector: string) =>
    (
      JSON.parse((await kubectl(kubeconfig, ["get", "pods", "-l", selector, "-o", "json"])).stdout) as {
        items: PodItem[];
      }
    ).items;
  /** A pod on `node` (busybox, or nginx when `serve`), Running. */
  const podOn = async (kubeconfig: string, name: string, node: string, serve = false) => {
    const overrides = JSON.stringify({ spec: { nodeSelector: { "kubernetes.io/hostname": node } } });
    const image = serve ? ["--image=nginx"] : ["--image=busybox", "--", "sleep", "3600"];
    const run = await kubectl(kubeconfig, [
      "run",
      name,
      `--labels=pod=${name}`,
      `--overrides=${overrides}`,
      ...image,
    ]);
    expect(run.code, run.stderr).toBe(0);
    const wait = await kubectl(
      kubeconfig,
      ["wait", "--for=condition=Ready", `pod/${name}`, "--timeout=120s"],
      {
        timeoutMs: 150_000,
      },
    );
    expect(wait.code, wait.stderr).toBe(0);
    const [pod] = await pods(kubeconfig, `pod=${name}`);
    expect(pod?.spec.nodeName).toBe(node);
    return pod as PodItem;
  };
  /** `wget` from inside a pod: the body, or undefined when nothing answered. */
  const fetchFrom = async (kubeconfig: string, pod: string, url: string) => {
    const r = await kubectl(kubeconfig, ["exec", pod, "--", "wget", "-qO-", "-T", "3", url], {
      timeoutMs: 30_000,
    });
    return r.code === 0 ? r.stdout : undefined;
  };
  const nodePortOn = async (name: string) => {
    try {
      const res = await fetch(`http://${engine(name).address}:${nodePort}/`, {
        signal: AbortSignal.timeout(3000),
      });
      return res.status === 200 ? await res.text() : undefined;
    } catch {
      return undefined;
    }
  };

  beforeAll(async () => {
    lab = await startDockerLab(3);
    // the platform's own node (the shared engine) takes no pod of this suite
    platform = await startTestPlatform({
      nodeTaints: "lab=elsewhere:NoSchedule",
      nodeMonitorGraceSeconds: GRACE_SECONDS,
      defaultTolerationSeconds: TOLERATION_SECONDS,
    });
    await registerLabNodes(platform.admin, lab, NAMES);
    a = (await platform.createCluster("multi-node-a")).kubeconfig;
    const clusterB = await platform.createCluster("multi-node-b");
    b = clusterB.kubeconfig;
    bId = clusterB.id;
    // the cluster's block (the platform's default /23) from its `kubernetes` ClusterIP, the Service range's first
    const kubernetesIp = (
      await kubectl(a, ["get", "service", "kubernetes", "-o", "jsonpath={.spec.clusterIP}"])
    ).stdout;
    podRangeA = clusterNetwork(`${formatIp((parseIp(kubernetesIp) ?? 0) - 1 - 256)}/23`).podRange;
  }, 300_000);
  afterAll(async () => {
    await platform?.close();
    await lab?.close();
  }, 180_000);

  it("makes the registered engines one Swarm through the Engine API, and leaves the shared engine alone", async () => {
    const states = await eventually(
      async () => {
        const all = await Promise.all(lab.engines.map((e) => swarmOf(e.docker)));
        return all.every((s) => s.LocalNodeState === "active") ? all : undefined;
      },
      120_000,
      "three engines in one Swarm",
    );
    // the first registered engine manages it, the others are its workers
    expect(states.map((s) => s.ControlAvailable)).toEqual([true, false, false]);
    const members = await engine("lab-1").docker.listNodes();
    expect(members.map((n: { ID: string }) => n.ID).sort()).toEqual(states.map((s) => s.NodeID).sort());
    expect(members.map((n: { Status: { Addr: string } }) => n.Status.Addr).sort()).toEqual(
      lab.engines.map((e) => e.address).sort(),
    );
    expect((await swarmOf(new Docker())).LocalNodeState).toBe("inactive");
  });

  let web: PodItem[] = [];

  it("spreads a Deployment over the nodes, its pods on one overlay with unique addresses from the cluster's block", async () => {
    expect((await kubectl(a, ["create", "deployment", "web", "--image=nginx", "--replicas=6"])).code).toBe(0);
    expect((await kubectl(a, ["expose", "deployment", "web", "--port=80", "--type=NodePort"])).code).toBe(0);
    const rollout = await kubectl(a, ["rollout", "status", "deployment/web", "--timeout=180s"], {
      timeoutMs: 200_000,
    });
    expect(rollout.code, rollout.stderr).toBe(0);
    web = await pods(a, "app=web");
    expect(new Set(web.map((p) => p.spec.nodeName))).toEqual(new Set(NAMES));
    const ips = web.map((p) => p.status.podIP ?? "");
    expect(new Set(ips).size).toBe(6);
    for (const ip of ips) expect(isPodAddress(podRangeA, ip), ip).toBe(true);
    const overlays = await engine("lab-1").docker.listNetworks({ filters: { driver: ["overlay"] } });
    expect(overlays.filter((n) => n.Labels?.[LABEL.cluster])).toHaveLength(1);
  });

  it("serves the Service through one NodePort and one Ingress on every node", async () => {
    nodePort = Number(
      (await kubectl(a, ["get", "service", "web", "-o", "jsonpath={.spec.ports[0].nodePort}"])).stdout,
    );
    expect(nodePort).toBeGreaterThan(0);
    for (const name of NAMES)
      await eventually(
        async () => ((await nodePortOn(name))?.includes("nginx") ? true : undefined),
        60_000,
        `NodePort ${nodePort} on ${name}`,
      );
    expect((await kubectl(a, ["create", "ingress", "web", "--rule=web.local/*=web:80"])).code).toBe(0);
    const domain = await eventually(
      async () =>
        (
          await kubectl(a, [
            "get",
            "ingress",
            "web",
            "-o",
            "jsonpath={.status.loadBalancer.ingress[0].hostname}",
          ])
        ).stdout || undefined,
      30_000,
      "the ingress status",
    );
    for (const name of NAMES)
      await eventually(
        async () => {
          const body = await page(engine(name).address, platform.ingressPort, `web.local.${domain}`);
          return body?.includes("nginx") ? true : undefined;
        },
        60_000,
        `the Ingress on ${name}`,
      );
  });

  it("lets a pod on node 1 reach a pod on node 3 by IP and by DNS name, and the Service by name", async () => {
    await podOn(a, "client", "lab-1");
    const target = await podOn(a, "target", "lab-3", true);
    expect(
      (await kubectl(a, ["create", "service", "clusterip", "target", "--clusterip=None", "--tcp=80"])).code,
    ).toBe(0);
    expect((await kubectl(a, ["set", "selector", "service", "target", "pod=target"])).code).toBe(0);
    expect(await fetchFrom(a, "client", `http://${target.status.podIP}/`)).toContain("nginx");
    const looked = await eventually(
      async () => {
        const r = await kubectl(a, ["exec", "client", "--", "nslookup", "target.default.svc.cluster.local"]);
        return r.stdout.includes(target.status.podIP ?? "-") ? r.stdout : undefined;
      },
      30_000,
      "target's name resolved to its pod on lab-3",
    );
    expect(looked).toContain(target.status.podIP);
    expect(await fetchFrom(a, "client", "http://target/")).toContain("nginx");
    expect(await fetchFrom(a, "client", "http://web/")).toContain("nginx");
  });

  it("keeps the Service answering through a node's death, failing only until its pods run elsewhere", async () => {
    const failures: number[] = [];
    let stop = false;
    let requests = 0;
    const loop = (async () => {
      while (!stop) {
        const at = Date.now();
        requests++;
        if (!(await nodePortOn("lab-1"))?.includes("nginx")) failures.push(at);
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    await new Promise((r) => setTimeout(r, 3000));
    const lost = web.filter((p) => p.spec.nodeName === "lab-2");
    expect(lost.length).toBeGreaterThan(0);
    const killedAt = Date.now();
    await engine("lab-2").kill();
    await eventually(
      async () => {
        const now = await pods(a, "app=web");
        const running = now.filter((p) => p.status.phase === "Running" && p.spec.nodeName !== "lab-2");
        return running.length === 6 && now.length === 6 ? true : undefined;
      },
      (GRACE_SECONDS + TOLERATION_SECONDS + 120) * 1000,
      "six web pods Running off lab-2",
    );
    const recoveredAt = Date.now();
    await new Promise((r) => setTimeout(r, 5000));
    stop = true;
    await loop;
    expect(requests).toBeGreaterThan(20);
    for (const at of failures) {
      expect(at).toBeGreaterThanOrEqual(killedAt);
      expect(at).toBeLessThanOrEqual(recoveredAt);
    }
    for (const name of ["lab-1", "lab-3"]) expect(await nodePortOn(name)).toContain("nginx");
  });

  it("keeps another cluster on the same nodes apart, by IP, ClusterIP and name, both ways", async () => {
    const webNow = (await pods(a, "app=web")).filter((p) => p.status.phase === "Running");
    const clientB = await podOn(b, "client", "lab-1");
    const far = await podOn(b, "far", "lab-3", true);
    // B's own pods reach each other across nodes: what B cannot reach below is A's, not anything
    expect(await fetchFrom(b, "client", `http://${far.status.podIP}/`)).toContain("nginx");
    const vip = (await kubectl(a, ["get", "service", "web", "-o", "jsonpath={.spec.clusterIP}"])).stdout;
    const targets = [...new Set(webNow.map((p) => p.status.podIP ?? ""))].slice(0, 4);
    for (const ip of targets) expect(await fetchFrom(b, "client", `http://${ip}/`), ip).toBeUndefined();
    expect(await fetchFrom(b, "client", `http://${vip}/`)).toBeUndefined();
    const named = await kubectl(b, ["exec", "client", "--", "nslookup", "web.default.svc.cluster.local"]);
    expect(named.stdout).not.toContain(vip);
    // and the other way: cluster A's pods reach nothing of B's
    expect(await fetchFrom(a, "client", `http://${far.status.podIP}/`)).toBeUndefined();
    const ping = await kubectl(a, [
      "exec",
      "client",
      "--",
      "ping",
      "-c",
      "1",
      "-W",
      "2",
      clientB.status.podIP ?? "",
    ]);
    expect(ping.code).not.toBe(0);
    // a pod of A still reaches A's pods on every node
    for (const ip of targets) expect(await fetchFrom(a, "client", `http://${ip}/`)).toContain("nginx");
  });

  it("removes a deleted cluster's overlay network and its netds from every node", async () => {
    const overlayOf = async () =>
      (await engine("lab-1").docker.listNetworks({ filters: { label: [`${LABEL.cluster}=${bId}`] } })).filter(
        (n) => n.Scope === "swarm",
      );
    expect(await overlayOf()).toHaveLength(1);
    expect((await platform.admin("DELETE", `/v1/clusters/${bId}`)).status).toBeLessThan(300);
    await eventually(
      async () => {
        const netds = await Promise.all(
          ["lab-1", "lab-3"].map((n) =>
            engine(n).docker.listContainers({ all: true, filters: { label: [`${LABEL.cluster}=${bId}`] } }),
          ),
        );
        return netds.flat().length === 0 && (await overlayOf()).length === 0 ? true : undefined;
      },
      120_000,
      "cluster B's containers and overlay gone",
    );
  });

  it("takes the platform's networks and netds off a removed node's engine, which leaves the Swarm", async () => {
    const docker = engine("lab-3").docker;
    expect(
      (await docker.listContainers({ all: true, filters: { label: [`${LABEL.node}=lab-3`] } })).length,
    ).toBeGreaterThan(0);
    expect((await kubectl(a, ["delete", "pod", "target", "--wait=false"])).code).toBe(0);
    const res = await platform.admin("DELETE", "/v1/nodes/lab-3");
    expect(res.status).toBe(202);
    await eventually(
      async () => ((await platform.admin("GET", "/v1/nodes/lab-3")).status === 404 ? true : undefined),
      120_000,
      "lab-3 removed",
    );
    await eventually(
      async () => {
        const left = await docker.listContainers({ all: true, filters: { label: [`${LABEL.node}=lab-3`] } });
        const swarm = await swarmOf(docker);
        return left.length === 0 && swarm.LocalNodeState === "inactive" ? true : undefined;
      },
      60_000,
      "lab-3's engine cleaned up and out of the Swarm",
    );
    await eventually(
      async () => {
        const members = (await engine("lab-1").docker.listNodes()) as { Status: { Addr: string } }[];
        return members.some((n) => n.Status.Addr === engine("lab-3").address) ? undefined : true;
      },
      30_000,
      "lab-3 forgotten by the Swarm's manager",
    );
    const networks = await docker.listNetworks();
    expect(networks.filter((n) => n.Name.startsWith("timonier-"))).toEqual([]);
    for (const name of ["lab-1"]) expect(await nodePortOn(name)).toContain("nginx");
  });
});
