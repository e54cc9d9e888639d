import type Docker from "dockerode";
import type { TestPlatform } from "../support/platform";
import { rawRuns } from "./raw";

const REPLICAS = Number(process.env.BENCH_REPLICAS ?? 10);
const IMAGE = "nginx:1.25";
const NEXT_IMAGE = "nginx:1.27";

interface DeploymentStatus {
  metadata: { generation: number };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
  };
}

/** Polls the Deployment until `done` holds; returns the time since `start`. */
async function until(
  url: string,
  headers: Record<string, string>,
  start: number,
  done: (d: DeploymentStatus) => boolean,
) {
  for (;;) {
    const d = (await (await fetch(url, { headers })).json()) as DeploymentStatus;
    if (done(d)) return performance.now() - start;
    if (performance.now() - start > 180_000) throw new Error("the deployment did not converge in 3 minutes");
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface WorkloadFigures {
  available: number;
  rawStart: number;
  rollout: number;
  rawRoll: number;
}

/**
 * A REPLICAS-replica Deployment becoming Available, then rolling to a new image (all new pods available,
 * old ones gone), each next to REPLICAS raw `docker run`s started at once in the same run.
 */
export async function deploymentRollout(platform: TestPlatform, docker: Docker): Promise<WorkloadFigures> {
  const cluster = await platform.createCluster("bench-workloads");
  const base = `${platform.url}/clusters/${cluster.id}/apis/apps/v1/namespaces/default/deployments`;
  const headers = { authorization: `Bearer ${cluster.token}`, "content-type": "application/json" };
  const full = (d: DeploymentStatus) =>
    d.status?.observedGeneration === d.metadata.generation &&
    d.status?.updatedReplicas === REPLICAS &&
    d.status?.availableReplicas === REPLICAS &&
    d.status?.replicas === REPLICAS;

  const rawStart = await rawRuns(docker, { count: REPLICAS, image: IMAGE });
  let start = performance.now();
  const created = await fetch(base, {
    method: "POST",
    headers,
    body: JSON.stringify({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web" },
      spec: {
        replicas: REPLICAS,
        selector: { matchLabels: { app: "web" } },
        template: {
          metadata: { labels: { app: "web" } },
          spec: { containers: [{ name: "nginx", image: IMAGE }] },
        },
      },
    }),
  });
  if (created.status !== 201) throw new Error(`create deployment: ${created.status} ${await created.text()}`);
  const available = await until(`${base}/web`, headers, start, full);

  const rawRoll = await rawRuns(docker, { count: REPLICAS, image: NEXT_IMAGE });
  start = performance.now();
  const patched = await fetch(`${base}/web`, {
    method: "PATCH",
    headers: { ...headers, "content-type": "application/strategic-merge-patch+json" },
    body: JSON.stringify({
      spec: { template: { spec: { containers: [{ name: "nginx", image: NEXT_IMAGE }] } } },
    }),
  });
  if (patched.status !== 200) throw new Error(`set image: ${patched.status} ${await patched.text()}`);
  const rollout = await until(`${base}/web`, headers, start, full);
  return { available, rawStart, rollout, rawRoll };
}

export function workloadRows(f: WorkloadFigures): (string | number)[][] {
  return [
    [
      `${REPLICAS}-replica Deployment → Available`,
      f.available,
      `${REPLICAS} docker runs at once`,
      f.rawStart,
      (f.available / f.rawStart).toFixed(2),
    ],
    [
      `rollout to a new image (${REPLICAS} pods)`,
      f.rollout,
      `${REPLICAS} docker runs at once`,
      f.rawRoll,
      (f.rollout / f.rawRoll).toFixed(2),
    ],
  ];
}
