import { loadavg } from "node:os";
import { dockerFromHost } from "../../workers/node-agent/docker-runtime";
import { prepareStack } from "../setup/stack-env";
import { startTestPlatform, type TestPlatform } from "../support/platform";
import { multiNode, multiNodeRows } from "./multi-node";
import { networkPaths, networkRows } from "./network";
import { policyCosts, policyRows } from "./network-policy";
import { rosterRows, rosters } from "./roster";
import { apiRows, apiSaturation, mutatingLatency } from "./simulated/api";
import { idleClusters, idleNotes, idleRows } from "./simulated/idle";
import { type SimulatedPlatform, startSimulatedPlatform } from "./simulated/platform";
import { podNotes, podRows, podThroughput } from "./simulated/pods";
import { profileSummary } from "./simulated/profile";
import { watchFanout, watchRows } from "./simulated/watch";
import { wakeRows, wakeUp } from "./sleep";
import { formatTable, percentile } from "./stats";
import { tenantIsolation } from "./tenant";
import { terraformClass, terraformRows } from "./terraform";
import { deploymentRollout, workloadRows } from "./workloads";

const CLUSTERS = Number(process.env.BENCH_CLUSTERS ?? 200);
const PODS = Number(process.env.BENCH_PODS ?? 10);
const IMAGE = process.env.BENCH_IMAGE ?? "nginx";

async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const start = performance.now();
  const value = await fn();
  return [performance.now() - start, value];
}

async function clusterCreation(platform: TestPlatform) {
  const create: number[] = [];
  const read: number[] = [];
  for (let i = 0; i < CLUSTERS; i++) {
    const [ms, res] = await time(() => platform.admin("POST", "/v1/clusters", { name: `bench-${i}` }));
    if (res.status !== 201) throw new Error(`create failed: ${res.status} ${await res.text()}`);
    create.push(ms);
    const { id } = (await res.json()) as { id: string };
    const [readMs, got] = await time(() => platform.admin("GET", `/v1/clusters/${id}`));
    await got.arrayBuffer();
    read.push(readMs);
  }
  return { create, read };
}

/** Create → Running as seen through a watch on the cluster's API. */
async function podStartup(
  platform: TestPlatform,
  clusterId: string,
  token: string,
  name: string,
): Promise<number> {
  const base = `${platform.url}/clusters/${clusterId}/api/v1/namespaces/default/pods`;
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const start = performance.now();
  const created = await fetch(base, {
    method: "POST",
    headers,
    body: JSON.stringify({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name },
      spec: { containers: [{ name: "main", image: IMAGE }] },
    }),
  });
  const body = (await created.json()) as { metadata: { resourceVersion: string } };
  const watch = await fetch(
    `${base}?watch=1&fieldSelector=metadata.name%3D${name}&resourceVersion=${body.metadata.resourceVersion}`,
    { headers },
  );
  const reader = watch.body?.getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  for (;;) {
    const chunk = await reader?.read();
    if (!chunk || chunk.done) throw new Error("watch ended before the pod ran");
    buffered += decoder.decode(chunk.value, { stream: true });
    for (const line of buffered.split("\n").slice(0, -1)) {
      const event = JSON.parse(line) as { object: { status?: { phase?: string } } };
      if (event.object.status?.phase === "Running") {
        const elapsed = performance.now() - start;
        await reader?.cancel();
        return elapsed;
      }
    }
    buffered = buffered.slice(buffered.lastIndexOf("\n") + 1);
  }
}

const WATCHERS = Number(process.env.BENCH_WATCHERS ?? 100);
const WATCH_EVENTS = Number(process.env.BENCH_WATCH_EVENTS ?? 30);

/**
 * Commit → event at the client, for WATCHERS concurrent watches of one cluster's configmaps; next to
 * the latency of the create call that committed (the baseline every event waits for).
 */
async function watchDelivery(platform: TestPlatform, clusterId: string, token: string) {
  const base = `${platform.url}/clusters/${clusterId}/api/v1/namespaces/default/configmaps`;
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const list = (await (await fetch(base, { headers })).json()) as { metadata: { resourceVersion: string } };
  const sent = new Map<string, number>();
  const delays: number[] = [];
  let received = 0;
  const readers = await Promise.all(
    Array.from({ length: WATCHERS }, async () => {
      const res = await fetch(`${base}?watch=1&resourceVersion=${list.metadata.resourceVersion}`, {
        headers,
      });
      const reader = res.body?.getReader();
      const decoder = new TextDecoder();
      let buffered = "";
      void (async () => {
        for (;;) {
          const chunk = await reader?.read().catch(() => undefined);
          if (!chunk || chunk.done) return;
          buffered += decoder.decode(chunk.value, { stream: true });
          const lines = buffered.split("\n");
          buffered = lines.pop() ?? "";
          for (const line of lines) {
            const name = (JSON.parse(line) as { object: { metadata: { name: string } } }).object.metadata
              .name;
            const at = sent.get(name);
            if (at !== undefined) delays.push(performance.now() - at);
            received++;
          }
        }
      })();
      return reader;
    }),
  );
  const writes: number[] = [];
  for (let i = 0; i < WATCH_EVENTS; i++) {
    const name = `w${i}`;
    const started = performance.now();
    sent.set(name, started);
    const res = await fetch(base, {
      method: "POST",
      headers,
      body: JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name } }),
    });
    await res.arrayBuffer();
    writes.push(performance.now() - started);
    const target = (i + 1) * WATCHERS;
    const deadline = Date.now() + 5000;
    while (received < target && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
  }
  await Promise.all(readers.map((r) => r?.cancel().catch(() => undefined)));
  return { delays, writes };
}

/** The baseline: `docker run -d` of the same image through the same Engine API. */
async function rawDockerRun(dockerHost: string): Promise<number> {
  const docker = dockerFromHost(dockerHost);
  const [ms, container] = await time(async () => {
    const c = await docker.createContainer({ Image: IMAGE, Labels: { "io.timonier.bench": "1" } });
    await c.start();
    return c;
  });
  await container.remove({ force: true });
  return ms;
}

async function networkPolicy(platform: TestPlatform) {
  const figures = await policyCosts(platform);
  console.log(`\nNetworkPolicy, from a client pod (${new Date().toISOString()})\n`);
  console.log(formatTable(["measure", "n", "p50", "p99", "no policy p50", "ratio p50"], policyRows(figures)));
  console.log("\nDelay: from `kubectl apply` started to the first refused connection (1 s probes).");
}

/**
 * `BENCH_ONLY=control`, `workloads`, `sleep`, `network`, `netpol`, `tenant`, `roster`, `terraform`,
 * `multinode` (three lab engines), or one of the control plane's alone on a simulated node (`sim-pods`,
 * `sim-idle`, `sim-api`, `sim-watch`) runs one part; all by default.
 */
const ONLY = process.env.BENCH_ONLY;
const DOCKER_PARTS = ["control", "workloads", "sleep", "network", "netpol", "tenant", "roster", "terraform"];
const SIM_CLUSTERS = Number(process.env.BENCH_SIM_CLUSTERS ?? 100);

async function network(platform: TestPlatform) {
  const figures = await networkPaths(platform);
  console.log(`\nNetwork paths to one nginx pod (${new Date().toISOString()})\n`);
  console.log(
    formatTable(
      [
        "measure",
        "n",
        "p50 ms",
        "p99 ms",
        "baseline",
        "base p50 ms",
        "ratio p50",
        "ratio p99",
        "req/s",
        "req/s ratio",
      ],
      networkRows(figures),
    ),
  );
  console.log("\nLatency: one GET per new connection. Throughput: 16 keep-alive clients.");
}

async function workloads(platform: TestPlatform, dockerHost: string) {
  const figures = await deploymentRollout(platform, dockerFromHost(dockerHost));
  console.log(`\nWorkloads (${new Date().toISOString()})\n`);
  console.log(formatTable(["measure", "ms", "baseline", "base ms", "ratio"], workloadRows(figures)));
}

async function sleep(platform: TestPlatform, dockerHost: string) {
  const figures = await wakeUp(platform, dockerFromHost(dockerHost));
  console.log(`\nSleep (${new Date().toISOString()})\n`);
  console.log(
    formatTable(
      ["measure", "n", "p50 ms", "max ms", "baseline", "base p50 ms", "ratio p50"],
      wakeRows(figures),
    ),
  );
  console.log("\nFrom the GET that wakes it until every pod runs, ready, in new containers.");
}

async function tenant(platform: TestPlatform) {
  const rows = await tenantIsolation(platform);
  console.log(`\nA victim student while another runs each hostile probe (${new Date().toISOString()})\n`);
  console.log(
    formatTable(
      [
        "while",
        "n",
        "GET pods p50",
        "p99",
        "ratio p50",
        "ratio p99",
        "nginx p50",
        "p99",
        "ratio p50",
        "ratio p99",
      ],
      rows,
    ),
  );
  console.log("\nms; ratios against the quiet phase of the same run.");
}

async function classes(platform: TestPlatform, dockerHost: string) {
  const figures = await rosters(platform, dockerFromHost(dockerHost));
  console.log(`\nA class: roster, then one nginx pod per student (${new Date().toISOString()})\n`);
  console.log(
    formatTable(
      [
        "students",
        "kubeconfigs ms",
        "first Running ms",
        "all Running ms",
        "raw network+run ms",
        "ratio",
        "raw run ms",
        "ratio",
      ],
      rosterRows(figures),
    ),
  );
  console.log(
    "\nRaw: as many `docker network create` + `docker run` (or `docker run` alone) at once, same run.",
  );
}

async function severalNodes() {
  const figures = await multiNode();
  console.log(`\nThree nodes (lab engines, each its own machine) (${new Date().toISOString()})\n`);
  console.log(
    formatTable(
      [
        "measure",
        "p50 ms",
        "p99 ms",
        "req/s",
        "baseline",
        "base p50 ms",
        "base req/s",
        "ratio p50",
        "req/s ratio",
      ],
      multiNodeRows(figures),
    ),
  );
  console.log("\nLatency: one GET per new connection. Throughput: 16 keep-alive clients.");
}

async function terraform(platform: TestPlatform) {
  const figures = await terraformClass(platform);
  console.log(`\nterraform/examples/classroom with the timonier provider (${new Date().toISOString()})\n`);
  console.log(formatTable(["measure", "ms", "baseline", "base ms", "ratio"], terraformRows(figures)));
  console.log("\nTerraform's default parallelism (10); the baselines send every call at once, same run.");
}

/** The machine's load (1 min) before and after: the figures are only as quiet as the host. */
const load = () => loadavg()[0]?.toFixed(2);

/** One part on a fresh simulated platform (simulated/platform.ts), with its profiles if BENCH_PROFILE is set. */
async function simulatedPart(title: string, run: (p: SimulatedPlatform) => Promise<void>) {
  const loadBefore = load();
  const platform = await startSimulatedPlatform();
  try {
    console.log(`\n${title}, control plane alone on a simulated node (${new Date().toISOString()})\n`);
    await run(platform);
  } finally {
    await platform.close();
  }
  console.log(`Load average (1 min) ${loadBefore} before, ${load()} after; 2 cores shared with other work.`);
  if (process.env.BENCH_PROFILE) console.log(await profileSummary(process.env.BENCH_PROFILE));
}

/** SIM_CLUSTERS clusters, once the platform is done setting them up. */
async function ready(p: SimulatedPlatform, prefix: string) {
  const clusters = await p.createClusters(prefix, SIM_CLUSTERS);
  await p.settle();
  return clusters;
}

async function simPods(p: SimulatedPlatform) {
  const figures = await podThroughput(p, await ready(p, "pods"));
  console.log(
    formatTable(
      ["measure", "pods/s", "p50 ms", "p99 ms", "baseline", "base /s", "ratio", "goal"],
      podRows(figures),
    ),
  );
  console.log(`\n${podNotes(figures)}`);
}

async function simIdle(p: SimulatedPlatform) {
  const figures = await idleClusters(p);
  console.log(
    formatTable(
      ["measure", `${figures.clusters} clusters`, "empty", "difference (per cluster)", "goal"],
      idleRows(figures),
    ),
  );
  console.log(`\n${idleNotes(figures)}`);
}

async function simApi(p: SimulatedPlatform) {
  const figures = await mutatingLatency(p, await ready(p, "api"));
  console.log(
    formatTable(
      [
        "load",
        "sent",
        "errors",
        "served/s",
        "p50 ms",
        "p99 ms",
        "base p99",
        "ratio p99",
        "goal",
        "API CPU %",
        "workers CPU %",
      ],
      apiRows(figures),
    ),
  );
  console.log(
    `\nCreate, merge-patch, delete of ConfigMaps, round-robin over ${SIM_CLUSTERS} clusters; baseline: the first rate.`,
  );
  console.log(apiSaturation(figures));
}

async function simWatch(p: SimulatedPlatform) {
  const figures = await watchFanout(p, await ready(p, "watch"));
  console.log(
    formatTable(
      ["measure", "events", "p50 ms", "p99 ms", "write p50 ms", "base p99", "ratio p99", "goal"],
      watchRows(figures),
    ),
  );
  console.log(
    `\nFrom the create call sent to the event read, over ${SIM_CLUSTERS} clusters; baseline: one watch per cluster.`,
  );
}

async function main() {
  const env = await prepareStack();
  const docker = !ONLY || DOCKER_PARTS.includes(ONLY);
  const platform = docker ? await startTestPlatform() : undefined;
  try {
    if (platform) {
      if (!ONLY || ONLY === "control") await controlPlane(platform, env.dockerHost);
      if (!ONLY || ONLY === "workloads") await workloads(platform, env.dockerHost);
      if (!ONLY || ONLY === "sleep") await sleep(platform, env.dockerHost);
      if (!ONLY || ONLY === "network") await network(platform);
      if (!ONLY || ONLY === "netpol") await networkPolicy(platform);
      if (!ONLY || ONLY === "tenant") await tenant(platform);
      if (!ONLY || ONLY === "roster") await classes(platform, env.dockerHost);
      if (!ONLY || ONLY === "terraform") await terraform(platform);
    }
    if (!ONLY || ONLY === "multinode") await severalNodes();
    if (!ONLY || ONLY === "sim-pods") await simulatedPart("Pods/s across clusters", simPods);
    if (!ONLY || ONLY === "sim-idle") await simulatedPart("Idle clusters held", simIdle);
    if (!ONLY || ONLY === "sim-api") await simulatedPart("Mutating API under load", simApi);
    if (!ONLY || ONLY === "sim-watch") await simulatedPart("Watch delivery", simWatch);
  } finally {
    await platform?.close();
    await env.stop();
  }
}

async function controlPlane(platform: TestPlatform, dockerHost: string) {
  const { create, read } = await clusterCreation(platform);
  const cluster = await platform.createCluster("bench-pods");
  const pods: number[] = [];
  const raw: number[] = [];
  await rawDockerRun(dockerHost); // warm the image cache and the engine
  for (let i = 0; i < PODS; i++) {
    raw.push(await rawDockerRun(dockerHost));
    pods.push(await podStartup(platform, cluster.id, cluster.token, `p${i}`));
  }
  const watch = await watchDelivery(platform, cluster.id, cluster.token);
  const ratio = (a: number[], b: number[], p: number) => (percentile(a, p) / percentile(b, p)).toFixed(2);
  console.log(`\nTimonier bench (${new Date().toISOString()})\n`);
  console.log(
    formatTable(
      ["measure", "n", "p50 ms", "p99 ms", "baseline", "base p50 ms", "ratio p50", "ratio p99"],
      [
        [
          "cluster create",
          create.length,
          percentile(create, 50),
          percentile(create, 99),
          "GET cluster",
          percentile(read, 50),
          ratio(create, read, 50),
          ratio(create, read, 99),
        ],
        [
          `watch commit→event (${WATCHERS} watchers)`,
          watch.delays.length,
          percentile(watch.delays, 50),
          percentile(watch.delays, 99),
          "the create call",
          percentile(watch.writes, 50),
          ratio(watch.delays, watch.writes, 50),
          ratio(watch.delays, watch.writes, 99),
        ],
        [
          "pod create→Running (watch)",
          pods.length,
          percentile(pods, 50),
          percentile(pods, 99),
          `docker run ${IMAGE}`,
          percentile(raw, 50),
          ratio(pods, raw, 50),
          ratio(pods, raw, 99),
        ],
      ],
    ),
  );
  console.log(
    "\nTargets: cluster create p50 ≤ 20 ms; watch event ≤ 100 ms after the commit; pod startup ≤ 1.5× docker run.",
  );
}

await main();
