import type Docker from "dockerode";
import type { TestPlatform } from "../support/platform";
import { rawRuns } from "./raw";

const IMAGE = "nginx";
/** Class sizes measured: `BENCH_ROSTERS=30,200`. */
const SIZES = (process.env.BENCH_ROSTERS ?? "30,200").split(",").map(Number);
if (SIZES.some((n) => n > 256))
  throw new Error("BENCH_ROSTERS: at most 256 students (one /24 each for the raw baseline)");

export interface RosterFigures {
  students: number;
  /** The roster call, until every kubeconfig is in hand. */
  kubeconfigsMs: number;
  /** From the roster call to the first student's pod Running. */
  firstRunningMs: number;
  /** From the roster call to every student's pod Running. */
  allRunningMs: number;
  /** As many `docker network create` + `docker run` at once: a cluster's network and its one container. */
  rawNetworkRunMs: number;
  /** As many `docker run` at once on the default bridge. */
  rawRunMs: number;
}

interface Overview {
  students: { student: string; pods: Record<string, number> }[];
}

/**
 * A class of `students`: the roster call, then `kubectl run web --image=nginx` in every cluster at once
 * (through the API), timed until the class overview shows each first pod Running.
 */
async function roster(
  platform: TestPlatform,
  students: number,
): Promise<Omit<RosterFigures, "rawNetworkRunMs" | "rawRunMs">> {
  const tenant = `bench-roster-${students}`;
  const made = await platform.admin("POST", "/v1/tenants", { name: tenant, budget: { pods: 5 } });
  if (made.status !== 201) throw new Error(`class ${tenant}: ${made.status} ${await made.text()}`);
  const names = Array.from({ length: students }, (_, i) => `s${String(i).padStart(3, "0")}`);
  const start = performance.now();
  const res = await platform.admin("POST", `/v1/tenants/${tenant}/students`, { students: names });
  if (res.status !== 200) throw new Error(`roster: ${res.status} ${await res.text()}`);
  const { items } = (await res.json()) as { items: { id: string; kubeconfig: string }[] };
  const kubeconfigsMs = performance.now() - start;
  await Promise.all(
    items.map(async ({ id, kubeconfig }) => {
      const token = /token: (\S+)/.exec(kubeconfig)?.[1] ?? "";
      const created = await fetch(`${platform.url}/clusters/${id}/api/v1/namespaces/default/pods`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({
          apiVersion: "v1",
          kind: "Pod",
          metadata: { name: "web", labels: { run: "web" } },
          spec: { containers: [{ name: "web", image: IMAGE }] },
        }),
      });
      if (created.status !== 201) throw new Error(`pod in ${id}: ${created.status} ${await created.text()}`);
    }),
  );
  let firstRunningMs = 0;
  for (;;) {
    const overview = (await (
      await platform.admin("GET", `/v1/tenants/${tenant}/overview`)
    ).json()) as Overview;
    const running = overview.students.filter((s) => (s.pods.Running ?? 0) > 0).length;
    if (running > 0 && !firstRunningMs) firstRunningMs = performance.now() - start;
    if (running === students) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const allRunningMs = performance.now() - start;
  await platform.admin("DELETE", `/v1/tenants/${tenant}`);
  while ((await platform.admin("GET", `/v1/tenants/${tenant}`)).status !== 404)
    await new Promise((r) => setTimeout(r, 500));
  return { students, kubeconfigsMs, firstRunningMs, allRunningMs };
}

export async function rosters(platform: TestPlatform, docker: Docker): Promise<RosterFigures[]> {
  const out: RosterFigures[] = [];
  await rawRuns(docker, { count: 1, image: IMAGE }); // warm the image cache and the engine
  for (const students of SIZES) {
    const rawNetworkRunMs = await rawRuns(docker, { count: students, image: IMAGE, networks: true });
    const rawRunMs = await rawRuns(docker, { count: students, image: IMAGE });
    out.push({ ...(await roster(platform, students)), rawNetworkRunMs, rawRunMs });
  }
  return out;
}

export function rosterRows(figures: RosterFigures[]): (string | number)[][] {
  return figures.map((f) => [
    f.students,
    Math.round(f.kubeconfigsMs),
    Math.round(f.firstRunningMs),
    Math.round(f.allRunningMs),
    Math.round(f.rawNetworkRunMs),
    (f.allRunningMs / f.rawNetworkRunMs).toFixed(2),
    Math.round(f.rawRunMs),
    (f.allRunningMs / f.rawRunMs).toFixed(2),
  ]);
}
