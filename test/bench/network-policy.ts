import { eventually, kubectl } from "../support/kubectl";
import type { TestPlatform } from "../support/platform";
import { percentile } from "./stats";

const CONNECTIONS = Number(process.env.BENCH_POLICY_CONNECTIONS ?? 100);
const ROUNDS = Number(process.env.BENCH_POLICY_ROUNDS ?? 5);
const POLICIES = 50;

export interface PolicyFigures {
  /** Policy applied (kubectl apply started) → first connection refused, ms. */
  effect: number[];
  /** Connection + GET from a client pod, µs, by path, without policies and with POLICIES. */
  latency: { path: string; none: number[]; many: number[] }[];
}

/**
 * A NetworkPolicy's cost, measured from a client pod since the host's own traffic is never filtered:
 * how soon a policy takes effect, and what a connection costs to a pod that 50 policies select, straight
 * to its address (the node's firewall) and through its ClusterIP (netd's check), against no policy.
 */
export async function policyCosts(platform: TestPlatform): Promise<PolicyFigures> {
  const { kubeconfig } = await platform.createCluster("bench-netpol");
  const k = async (args: string[], input?: string) => {
    const r = await kubectl(kubeconfig, args, { timeoutMs: 120_000, ...(input ? { input } : {}) });
    if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };
  await k(["create", "deployment", "web", "--image=nginx"]);
  await k(["expose", "deployment", "web", "--port=80"]);
  await k(["run", "client", "--image=busybox", "--labels=role=client", "--", "sleep", "36000"]);
  await k(["rollout", "status", "deployment/web", "--timeout=90s"]);
  await k(["wait", "--for=condition=Ready", "pod/client", "--timeout=90s"]);
  const podIp = JSON.parse(await k(["get", "pods", "-l", "app=web", "-o", "json"])).items[0].status.podIP;
  const clusterIp = JSON.parse(await k(["get", "svc", "web", "-o", "json"])).spec.clusterIP;
  const inClient = (script: string) => k(["exec", "client", "--", "sh", "-c", script]);
  const policy = (name: string, from: Record<string, string>) =>
    JSON.stringify({
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name },
      spec: {
        podSelector: { matchLabels: { app: "web" } },
        ingress: [{ from: [{ podSelector: { matchLabels: from } }] }],
      },
    });
  const reachable = async (url: string, yes: boolean) =>
    eventually(
      async () => {
        const ok = await kubectl(kubeconfig, [
          "exec",
          "client",
          "--",
          "timeout",
          "1",
          "wget",
          "-q",
          "-O",
          "-",
          url,
        ]);
        return (ok.code === 0) === yes ? true : undefined;
      },
      30_000,
      `${url} ${yes ? "reachable" : "refused"}`,
    );
  const timings = async (url: string) =>
    (
      await inClient(
        `i=0; while [ $i -lt ${CONNECTIONS} ]; do s=$(date +%s%N); wget -q -O /dev/null ${url}; e=$(date +%s%N); echo $(((e-s)/1000)); i=$((i+1)); done`,
      )
    )
      .trim()
      .split("\n")
      .map(Number);

  const paths = [
    { path: "pod IP (firewall)", url: `http://${podIp}/` },
    { path: "ClusterIP (netd)", url: `http://${clusterIp}/` },
  ];
  const none = [];
  for (const p of paths) none.push(await timings(p.url));

  const effect: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const probing = inClient(
      `timeout 30 sh -c 'while :; do s=$(date +%s%N); timeout 1 wget -q -O /dev/null http://${podIp}/ || { echo $s; exit; }; done'`,
    );
    await new Promise((r) => setTimeout(r, 1000));
    const applied = Date.now();
    await k(["apply", "-f", "-"], policy("deny", { role: "nobody" }));
    effect.push(Number((await probing).trim()) / 1e6 - applied);
    await k(["delete", "networkpolicy", "deny"]);
    await reachable(`http://${podIp}/`, true);
  }

  for (let i = 0; i < POLICIES - 1; i++)
    await k(["apply", "-f", "-"], policy(`p${i}`, { [`peer-${i}`]: "yes" }));
  await k(["apply", "-f", "-"], policy("client", { role: "client" }));
  await reachable(`http://${podIp}/`, true);
  const latency = [];
  for (const [i, p] of paths.entries())
    latency.push({ path: p.path, none: none[i] ?? [], many: await timings(p.url) });
  return { effect, latency };
}

/** Rows for the bench table: the effect delay, then each path with 50 policies against none. */
export function policyRows(f: PolicyFigures): (string | number)[][] {
  return [
    [
      "policy applied → first refusal (ms)",
      f.effect.length,
      percentile(f.effect, 50),
      percentile(f.effect, 99),
      "",
      "",
    ],
    ...f.latency.map((l) => [
      `GET via ${l.path}, ${POLICIES} policies (µs)`,
      l.many.length,
      percentile(l.many, 50),
      percentile(l.many, 99),
      percentile(l.none, 50),
      (percentile(l.many, 50) / percentile(l.none, 50)).toFixed(2),
    ]),
  ];
}
