import type Docker from "dockerode";
import { type DockerLab, type LabEngine, registerLabNodes, startDockerLab } from "../support/docker-lab";
import { eventually, kubectl } from "../support/kubectl";
import { startTestPlatform, type TestPlatform } from "../support/platform";
import { percentile } from "./stats";

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 400);
const THROUGHPUT_SECONDS = Number(process.env.BENCH_THROUGHPUT_SECONDS ?? 3);
/** Students of the class spread over the lab's three engines: `BENCH_SPREAD_CLASS`. */
const CLASS = Number(process.env.BENCH_SPREAD_CLASS ?? 90);
const NAMES = ["lab-1", "lab-2", "lab-3"];
const GRACE_SECONDS = 12;
const TOLERATION_SECONDS = 8;

/**
 * The client, run by the images' nodejs wherever it is measured from (a pod, or a container on a lab
 * engine's own network): `REQUESTS` GETs on fresh connections, then keep-alive GETs from 16 clients for
 * `THROUGHPUT_SECONDS`; prints the latencies and the requests per second as JSON.
 */
const CLIENT = `
const http = require("http");
const [url, count, seconds] = process.argv.slice(1);
const get = (agent) => new Promise((resolve, reject) => {
  http.get(url, { agent }, (res) => { res.resume(); res.on("end", resolve); }).on("error", reject);
});
(async () => {
  const latency = [];
  for (let i = 0; i < Number(count); i++) {
    const start = performance.now();
    await get(false);
    latency.push(performance.now() - start);
  }
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const deadline = performance.now() + Number(seconds) * 1000;
  let done = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (performance.now() < deadline) { await get(agent); done++; }
  }));
  console.log(JSON.stringify({ latency, rps: done / Number(seconds) }));
  process.exit(0);
})().catch((e) => { console.error(e.message); process.exit(1); });
`;

interface Traffic {
  latency: number[];
  rps: number;
}

export interface PathFigure {
  name: string;
  traffic: Traffic;
  baselineName: string;
  baseline: Traffic;
}

export interface MultiNodeFigures {
  paths: PathFigure[];
  /** From the engine's kill to every replica of its Deployment Running again on the other nodes. */
  failoverMs: number;
  /** The floor of that: the node monitor's grace plus the pods' toleration. */
  failoverFloorMs: number;
  classAllRunningMs: number;
  classRawMs: number;
}

/** The same client in a container on an engine's own network: the hosts' traffic, without the platform. */
async function hostTraffic(client: LabEngine, server: LabEngine): Promise<Traffic> {
  const nginx = await server.docker.createContainer({
    Image: "nginx:latest",
    HostConfig: { NetworkMode: "host" },
    Labels: { "io.timonier.bench": "1" },
  });
  await nginx.start();
  try {
    const url = `http://${server.address}:80/`;
    return await runClient(client.docker, url);
  } finally {
    await nginx.remove({ force: true });
  }
}

async function runClient(docker: Docker, url: string): Promise<Traffic> {
  const probe = await docker.createContainer({
    Image: "busybox:latest",
    Entrypoint: ["node", "-e", CLIENT, url, String(REQUESTS), String(THROUGHPUT_SECONDS)],
    Cmd: [],
    HostConfig: { NetworkMode: "host" },
    Labels: { "io.timonier.bench": "1" },
  });
  try {
    await probe.start();
    await probe.wait();
    const logs = (await probe.logs({ stdout: true, stderr: true })) as Buffer;
    // the multiplexed stream's frames: an 8-byte header before each chunk
    let out = "";
    for (let i = 0; i + 8 <= logs.length; ) {
      const size = logs.readUInt32BE(i + 4);
      out += logs.subarray(i + 8, i + 8 + size).toString();
      i += 8 + size;
    }
    return JSON.parse(out.trim().split("\n").at(-1) ?? "{}") as Traffic;
  } finally {
    await probe.remove({ force: true });
  }
}

async function podTraffic(kubeconfig: string, pod: string, url: string): Promise<Traffic> {
  const r = await kubectl(
    kubeconfig,
    ["exec", pod, "--", "node", "-e", CLIENT, url, String(REQUESTS), String(THROUGHPUT_SECONDS)],
    { timeoutMs: 600_000 },
  );
  if (r.code !== 0) throw new Error(`client in ${pod}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").at(-1) ?? "{}") as Traffic;
}

async function run(kubeconfig: string, ...args: string[]): Promise<string> {
  const r = await kubectl(kubeconfig, args, { timeoutMs: 180_000 });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

const onNode = (node: string) => `--overrides=${JSON.stringify({ spec: { nodeName: node } })}`;

/** Pod to pod and pod to Service, within a node and across, next to the same traffic between the hosts. */
async function paths(lab: DockerLab, kubeconfig: string): Promise<PathFigure[]> {
  const [one, , three] = lab.engines as [LabEngine, LabEngine, LabEngine];
  await run(kubeconfig, "run", "client", "--image=busybox", onNode("lab-1"), "--", "sleep", "infinity");
  await run(kubeconfig, "run", "near", "--image=nginx", "--labels=app=near", onNode("lab-1"));
  await run(kubeconfig, "run", "far", "--image=nginx", "--labels=app=far", onNode("lab-3"));
  await run(kubeconfig, "expose", "pod", "far", "--port=80");
  await run(
    kubeconfig,
    "wait",
    "--for=condition=Ready",
    "pod/client",
    "pod/near",
    "pod/far",
    "--timeout=180s",
  );
  const ip = async (pod: string) => run(kubeconfig, "get", "pod", pod, "-o", "jsonpath={.status.podIP}");
  const [near, far] = [await ip("near"), await ip("far")];
  const within = await hostTraffic(one, one);
  const across = await hostTraffic(one, three);
  const measure = (url: string) => podTraffic(kubeconfig, "client", url);
  return [
    {
      name: "pod → pod, same node",
      traffic: await measure(`http://${near}/`),
      baselineName: "host → itself",
      baseline: within,
    },
    {
      name: "pod → pod, across nodes",
      traffic: await measure(`http://${far}/`),
      baselineName: "host → host",
      baseline: across,
    },
    {
      name: "pod → Service, endpoint across",
      traffic: await measure("http://far.default.svc.cluster.local/"),
      baselineName: "host → host",
      baseline: across,
    },
  ];
}

/** Kills lab-2's engine under a Deployment spread over the three nodes; times its pods' return elsewhere. */
async function failover(lab: DockerLab, kubeconfig: string): Promise<number> {
  await run(kubeconfig, "create", "deployment", "spread", "--image=nginx", "--replicas=6");
  await run(kubeconfig, "rollout", "status", "deployment/spread", "--timeout=180s");
  const start = performance.now();
  await (lab.engines[1] as LabEngine).kill();
  await eventually(
    async () => {
      const pods = JSON.parse(await run(kubeconfig, "get", "pods", "-l", "app=spread", "-o", "json")) as {
        items: {
          spec: { nodeName?: string };
          status: { phase: string };
          metadata: { deletionTimestamp?: string };
        }[];
      };
      const running = pods.items.filter(
        (p) => p.status.phase === "Running" && p.spec.nodeName !== "lab-2" && !p.metadata.deletionTimestamp,
      );
      return running.length >= 6 ? true : undefined;
    },
    300_000,
    "the Deployment's six pods Running off lab-2",
  );
  return performance.now() - start;
}

/** `count` clusters with one nginx each, spread over the engines, next to the same raw Docker work. */
async function spreadClass(platform: TestPlatform, engines: LabEngine[], count: number) {
  const rawStart = performance.now();
  const made = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const docker = (engines[i % engines.length] as LabEngine).docker;
      const network = await docker.createNetwork({
        Name: `timonier-bench-${i}`,
        Labels: { "io.timonier.bench": "1" },
        IPAM: { Config: [{ Subnet: `10.252.${i % 256}.0/24` }] },
      });
      const c = await docker.createContainer({
        Image: "nginx:latest",
        Labels: { "io.timonier.bench": "1" },
        HostConfig: { NetworkMode: `timonier-bench-${i}` },
      });
      await c.start();
      return { c, network };
    }),
  );
  const rawMs = performance.now() - rawStart;
  for (const { c, network } of made) {
    await c.remove({ force: true });
    await network.remove();
  }
  const tenant = "bench-spread";
  const created = await platform.admin("POST", "/v1/tenants", { name: tenant, budget: { pods: 5 } });
  if (created.status !== 201) throw new Error(`class: ${created.status} ${await created.text()}`);
  const names = Array.from({ length: count }, (_, i) => `s${String(i).padStart(3, "0")}`);
  const start = performance.now();
  const res = await platform.admin("POST", `/v1/tenants/${tenant}/students`, { students: names });
  if (res.status !== 200) throw new Error(`roster: ${res.status} ${await res.text()}`);
  const { items } = (await res.json()) as { items: { id: string; kubeconfig: string }[] };
  await Promise.all(
    items.map(async ({ id, kubeconfig }) => {
      const token = /token: (\S+)/.exec(kubeconfig)?.[1] ?? "";
      const pod = await fetch(`${platform.url}/clusters/${id}/api/v1/namespaces/default/pods`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({
          apiVersion: "v1",
          kind: "Pod",
          metadata: { name: "web" },
          spec: { containers: [{ name: "web", image: "nginx" }] },
        }),
      });
      if (pod.status !== 201) throw new Error(`pod in ${id}: ${pod.status} ${await pod.text()}`);
    }),
  );
  await eventually(
    async () => {
      const overview = (await (await platform.admin("GET", `/v1/tenants/${tenant}/overview`)).json()) as {
        students: { pods: Record<string, number> }[];
      };
      return overview.students.every((s) => (s.pods.Running ?? 0) > 0) ? true : undefined;
    },
    900_000,
    `the ${count} students' pods Running`,
  );
  return { allRunningMs: performance.now() - start, rawMs };
}

/**
 * #13's figures on three lab engines (each its own machine): traffic within a node and across next to the
 * hosts' own, a node's death until its pods run elsewhere, and a class spread over the engines next to as
 * many raw `docker network create` + `docker run` spread the same way.
 */
export async function multiNode(): Promise<MultiNodeFigures> {
  const lab = await startDockerLab(3);
  const platform = await startTestPlatform({
    nodeTaints: "lab=elsewhere:NoSchedule",
    nodeMonitorGraceSeconds: GRACE_SECONDS,
    defaultTolerationSeconds: TOLERATION_SECONDS,
  });
  try {
    await registerLabNodes(platform.admin, lab, NAMES);
    const { kubeconfig } = await platform.createCluster("bench-multi-node");
    await eventually(
      async () =>
        JSON.parse(await run(kubeconfig, "get", "nodes", "-o", "json")).items.length >= 4 ? true : undefined,
      120_000,
      "the lab's nodes",
    );
    const measured = await paths(lab, kubeconfig);
    const spread = await spreadClass(platform, lab.engines, CLASS);
    const failoverMs = await failover(lab, kubeconfig);
    return {
      paths: measured,
      failoverMs,
      failoverFloorMs: (GRACE_SECONDS + TOLERATION_SECONDS) * 1000,
      classAllRunningMs: spread.allRunningMs,
      classRawMs: spread.rawMs,
    };
  } finally {
    await platform.close();
    await lab.close();
  }
}

export function multiNodeRows(f: MultiNodeFigures): (string | number)[][] {
  const rows: (string | number)[][] = f.paths.map((p) => [
    `GET / ${p.name}`,
    percentile(p.traffic.latency, 50),
    percentile(p.traffic.latency, 99),
    Math.round(p.traffic.rps),
    p.baselineName,
    percentile(p.baseline.latency, 50),
    Math.round(p.baseline.rps),
    (percentile(p.traffic.latency, 50) / percentile(p.baseline.latency, 50)).toFixed(2),
    (p.traffic.rps / p.baseline.rps).toFixed(2),
  ]);
  rows.push([
    "node killed → its pods Running elsewhere",
    Math.round(f.failoverMs),
    "",
    "",
    "grace + toleration",
    f.failoverFloorMs,
    "",
    (f.failoverMs / f.failoverFloorMs).toFixed(2),
    "",
  ]);
  rows.push([
    `class of ${CLASS} spread over the engines, all Running`,
    Math.round(f.classAllRunningMs),
    "",
    "",
    `${CLASS} raw network + run, spread`,
    Math.round(f.classRawMs),
    "",
    (f.classAllRunningMs / f.classRawMs).toFixed(2),
    "",
  ]);
  return rows;
}
