import type Docker from "dockerode";
import { LABEL } from "../../workers/node-agent/runtime";
import type { TestPlatform } from "../support/platform";
import { rawRuns } from "./raw";
import { percentile } from "./stats";

const PODS = 3;
const WAKES = Number(process.env.BENCH_WAKES ?? 3);
const IMAGE = "nginx:1.25";
/** The bench class's idleBeforeSleep: above the API's activity flush (5 s), so a busy cluster stays awake. */
const IDLE = "10s";

interface PodView {
  metadata: { name: string };
  status?: {
    phase?: string;
    containerStatuses?: { containerID?: string; ready?: boolean; state?: { running?: unknown } }[];
  };
}

async function until<T>(what: string, check: () => Promise<T | undefined>, intervalMs = 25): Promise<T> {
  const deadline = performance.now() + 120_000;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export interface WakeFigures {
  wake: number[];
  raw: number[];
}

/**
 * A cluster of a class with an idleBeforeSleep runs a PODS-replica Deployment, falls asleep (no container
 * left), and is woken by one GET of its pods: the time from that request until every pod runs again in new
 * containers and is ready, next to PODS raw `docker run`s at once in the same run; WAKES times.
 */
export async function wakeUp(platform: TestPlatform, docker: Docker): Promise<WakeFigures> {
  const made = await platform.admin("POST", "/v1/tenants", { name: "bench-sleep", idleBeforeSleep: IDLE });
  if (made.status !== 201) throw new Error(`create class: ${made.status} ${await made.text()}`);
  const res = await platform.admin("POST", "/v1/clusters", { name: "sleeper", tenant: "bench-sleep" });
  if (res.status !== 201) throw new Error(`create cluster: ${res.status} ${await res.text()}`);
  const { id, kubeconfig } = (await res.json()) as { id: string; kubeconfig: string };
  const token = /token: (\S+)/.exec(kubeconfig)?.[1] ?? "";
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const api = `${platform.url}/clusters/${id}`;
  const created = await fetch(`${api}/apis/apps/v1/namespaces/default/deployments`, {
    method: "POST",
    headers,
    body: JSON.stringify({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web" },
      spec: {
        replicas: PODS,
        selector: { matchLabels: { app: "web" } },
        template: {
          metadata: { labels: { app: "web" } },
          spec: { terminationGracePeriodSeconds: 1, containers: [{ name: "nginx", image: IMAGE }] },
        },
      },
    }),
  });
  if (created.status !== 201) throw new Error(`create deployment: ${created.status} ${await created.text()}`);
  const pods = async () =>
    (
      (await (await fetch(`${api}/api/v1/namespaces/default/pods`, { headers })).json()) as {
        items: PodView[];
      }
    ).items;
  const running = (items: PodView[], old: Set<string | undefined>) =>
    items.length === PODS &&
    items.every(
      (p) =>
        p.status?.phase === "Running" &&
        (p.status.containerStatuses ?? []).length > 0 &&
        (p.status.containerStatuses ?? []).every(
          (c) => c.ready && c.state?.running && !old.has(c.containerID),
        ),
    );
  let current = await until("the deployment's pods running", async () => {
    const items = await pods();
    return running(items, new Set()) ? items : undefined;
  });

  const phase = async () =>
    ((await (await platform.admin("GET", `/v1/clusters/${id}`)).json()) as { phase: string }).phase;
  const containers = () =>
    docker.listContainers({ all: true, filters: { label: [`${LABEL.cluster}=${id}`] } });
  const figures: WakeFigures = { wake: [], raw: [] };
  await rawRuns(docker, { count: PODS, image: IMAGE }); // the image and the engine warm
  for (let i = 0; i < WAKES; i++) {
    await until("the cluster asleep", async () => ((await phase()) === "Sleeping" ? true : undefined), 250);
    await until(
      "its containers gone",
      async () => ((await containers()).length === 0 ? true : undefined),
      250,
    );
    figures.raw.push(await rawRuns(docker, { count: PODS, image: IMAGE }));
    const old = new Set(
      current.flatMap((p) => (p.status?.containerStatuses ?? []).map((c) => c.containerID)),
    );
    const start = performance.now();
    current = await until("its pods running again", async () => {
      const items = await pods();
      return running(items, old) ? items : undefined;
    });
    figures.wake.push(performance.now() - start);
  }
  return figures;
}

export function wakeRows(f: WakeFigures): (string | number)[][] {
  const p50 = (xs: number[]) => percentile(xs, 50);
  return [
    [
      `wake-up of a slept cluster with ${PODS} pods → Running`,
      f.wake.length,
      p50(f.wake),
      Math.max(...f.wake),
      `${PODS} docker runs at once`,
      p50(f.raw),
      (p50(f.wake) / p50(f.raw)).toFixed(2),
    ],
  ];
}
