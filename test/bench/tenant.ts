import { request } from "node:http";
import { flood } from "../support/flood";
import { eventually, kubectl } from "../support/kubectl";
import type { TestPlatform } from "../support/platform";
import { percentile } from "./stats";

const PHASE_MS = Number(process.env.BENCH_TENANT_PHASE_MS ?? 5000);

interface Student {
  id: string;
  kubeconfig: string;
  token: string;
}

/** One GET of the victim's nginx, by pod IP from the node. */
function getNginx(ip: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ host: ip, port: 80, path: "/", agent: false }, (res) => {
      res.resume();
      res.on("end", () =>
        res.statusCode === 200 ? resolve() : reject(new Error(`nginx: ${res.statusCode}`)),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

/** The victim's `GET pods` and nginx latencies, one after the other, until `during` settles. */
async function victimSamples(platform: TestPlatform, victim: Student, ip: string, during: Promise<unknown>) {
  let done = false;
  void during.finally(() => {
    done = true;
  });
  const api: number[] = [];
  const web: number[] = [];
  const url = `${platform.url}/clusters/${victim.id}/api/v1/namespaces/default/pods`;
  while (!done) {
    let start = performance.now();
    const res = await fetch(url, { headers: { authorization: `Bearer ${victim.token}` } });
    await res.arrayBuffer();
    api.push(performance.now() - start);
    start = performance.now();
    await getNginx(ip);
    web.push(performance.now() - start);
    await new Promise((r) => setTimeout(r, 20));
  }
  return { api, web };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs a pod in the hostile cluster for the phase, then deletes it. */
async function hostilePod(student: Student, name: string, image: string, command: string[]) {
  const pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name },
    spec: { restartPolicy: "Never", containers: [{ name: "c", image, command }] },
  };
  await kubectl(student.kubeconfig, ["apply", "-f", "-"], { input: JSON.stringify(pod) });
  await sleep(PHASE_MS);
  await kubectl(student.kubeconfig, ["delete", "pod", name, "--grace-period=0", "--wait=false"]);
}

/**
 * A victim student's `GET pods` and nginx, quiet and while another student runs each hostile probe of the
 * tenant-safety suite, in one run: the ratios say what one student can still take from another.
 */
export async function tenantIsolation(platform: TestPlatform) {
  const victim = await platform.createCluster("bench-victim");
  const mallory = await platform.createCluster("bench-mallory");
  await kubectl(victim.kubeconfig, ["run", "web", "--image=nginx"]);
  const ip = await eventually(async () => {
    const pod = JSON.parse((await kubectl(victim.kubeconfig, ["get", "pod", "web", "-o", "json"])).stdout);
    return pod.status?.phase === "Running" && pod.status.podIP ? (pod.status.podIP as string) : undefined;
  }, 60_000);

  const requestFlood = () =>
    flood(`${platform.url}/clusters/${mallory.id}/api/v1/namespaces/default/configmaps`, mallory.token, {
      loops: 20,
      ms: PHASE_MS,
    });
  const chartBomb = async () => {
    const res = await platform.admin("POST", `/v1/clusters/${mallory.id}/releases`, {
      name: "bomb",
      chart: {
        files: {
          "Chart.yaml": "apiVersion: v2\nname: bomb\nversion: 0.1.0\n",
          "templates/x.yaml":
            "{{ range $i := until 100000 }}{{ range $j := until 100000 }}x{{ end }}{{ end }}",
        },
      },
    });
    await res.arrayBuffer();
  };
  const phases: [string, () => Promise<unknown>][] = [
    ["quiet (baseline)", () => sleep(PHASE_MS)],
    ["chart bomb (releases API)", chartBomb],
    ["request flood (20 loops)", requestFlood],
    [
      "fork bomb pod",
      () => hostilePod(mallory, "forks", "busybox", ["sh", "-c", "while true; do sleep 300 & done"]),
    ],
    [
      "memory hog pod (1 GiB)",
      () => hostilePod(mallory, "hog", "perl", ["perl", "-e", '$x = "x" x (1024*1024*1024); sleep 60']),
    ],
  ];
  const rows: (string | number)[][] = [];
  let quiet: { api: number[]; web: number[] } | undefined;
  for (const [name, run] of phases) {
    const samples = await victimSamples(platform, victim, ip, run());
    quiet ??= samples;
    const ratio = (a: number[], b: number[], p: number) => (percentile(a, p) / percentile(b, p)).toFixed(2);
    rows.push([
      name,
      samples.api.length,
      percentile(samples.api, 50),
      percentile(samples.api, 99),
      ratio(samples.api, quiet.api, 50),
      ratio(samples.api, quiet.api, 99),
      percentile(samples.web, 50),
      percentile(samples.web, 99),
      ratio(samples.web, quiet.web, 50),
      ratio(samples.web, quiet.web, 99),
    ]);
  }
  return rows;
}
