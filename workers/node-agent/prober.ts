import { connect } from "node:net";
import type { Container, Pod } from "../../core/k8s/types";
import type { ObservedContainer, PodRuntime } from "./runtime";

export interface Probe {
  exec?: { command: string[] };
  httpGet?: {
    path?: string;
    port: number | string;
    scheme?: string;
    httpHeaders?: { name: string; value: string }[];
  };
  tcpSocket?: { port: number | string };
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
}

type Kind = "readinessProbe" | "livenessProbe" | "startupProbe";

interface Worker {
  containerId: string;
  timer: NodeJS.Timeout;
  successes: number;
  failures: number;
  result: boolean | undefined;
}

/** What the probes say about one container instance; undefined while a probe has not decided yet. */
export interface ProbeResults {
  ready(uid: string, container: string): boolean | undefined;
  started(uid: string, container: string): boolean | undefined;
}

export function resolvePort(container: Container, port: number | string): number {
  if (typeof port === "number") return port;
  const named = container.ports?.find((p) => p.name === port)?.containerPort;
  return named ?? Number(port);
}

/**
 * The kubelet's prober: one timer per probe of each running container, from initialDelaySeconds every
 * periodSeconds. Readiness and startup results feed the pod status; a liveness verdict of failure calls
 * `onUnhealthy` so the agent restarts the container. Results change → `onChange` (the agent resyncs the
 * pod). httpGet and tcpSocket probes connect from the agent to the pod IP, so the agent must run on the
 * Docker host it drives.
 */
export class Prober implements ProbeResults {
  private readonly workers = new Map<string, Worker>();

  constructor(
    private readonly runtime: Pick<PodRuntime, "exec">,
    private readonly onChange: (pod: Pod) => void,
    private readonly onUnhealthy: (pod: Pod, container: string, containerId: string) => void,
  ) {}

  private key(uid: string, container: string, kind: Kind): string {
    return `${uid}/${container}/${kind}`;
  }

  ready(uid: string, container: string): boolean | undefined {
    return this.workers.get(this.key(uid, container, "readinessProbe"))?.result;
  }

  started(uid: string, container: string): boolean | undefined {
    return this.workers.get(this.key(uid, container, "startupProbe"))?.result;
  }

  /** Makes the probe timers match the pod's running containers (idempotent). */
  sync(pod: Pod, running: ObservedContainer[], podIP: string | undefined): void {
    const uid = pod.metadata.uid ?? "";
    const wanted = new Set<string>();
    for (const container of pod.spec.containers) {
      const instance = running.find((c) => c.name === container.name && c.state === "running");
      if (!instance) continue;
      for (const kind of ["readinessProbe", "livenessProbe", "startupProbe"] as const) {
        const probe = container[kind] as Probe | undefined;
        if (!probe) continue;
        const key = this.key(uid, container.name, kind);
        wanted.add(key);
        const existing = this.workers.get(key);
        if (existing?.containerId === instance.id) continue;
        if (existing) clearInterval(existing.timer);
        this.start(key, kind, pod, container, instance.id, probe, podIP);
      }
    }
    for (const [key, worker] of this.workers) {
      if (key.startsWith(`${uid}/`) && !wanted.has(key)) {
        clearInterval(worker.timer);
        this.workers.delete(key);
      }
    }
  }

  forget(uid: string): void {
    for (const [key, worker] of this.workers) {
      if (key.startsWith(`${uid}/`)) {
        clearInterval(worker.timer);
        this.workers.delete(key);
      }
    }
  }

  stop(): void {
    for (const worker of this.workers.values()) clearInterval(worker.timer);
    this.workers.clear();
  }

  private start(
    key: string,
    kind: Kind,
    pod: Pod,
    container: Container,
    containerId: string,
    probe: Probe,
    podIP?: string,
  ) {
    const period = (probe.periodSeconds ?? 10) * 1000;
    const worker: Worker = {
      containerId,
      timer: setTimeout(() => {}, 0),
      successes: 0,
      failures: 0,
      result: undefined,
    };
    const uid = pod.metadata.uid ?? "";
    const tick = async () => {
      // liveness and readiness wait until a startup probe has succeeded
      if (kind !== "startupProbe" && container.startupProbe && !this.started(uid, container.name)) return;
      const ok = await this.run(probe, container, containerId, podIP);
      if (this.workers.get(key) !== worker) return;
      if (ok) {
        worker.successes++;
        worker.failures = 0;
      } else {
        worker.failures++;
        worker.successes = 0;
      }
      const before = worker.result;
      if (ok && worker.successes >= (probe.successThreshold ?? 1)) worker.result = true;
      if (!ok && worker.failures >= (probe.failureThreshold ?? 3)) worker.result = false;
      if (kind === "livenessProbe" && worker.result === false) {
        worker.failures = 0;
        worker.result = undefined;
        this.onUnhealthy(pod, container.name, containerId);
        return;
      }
      if (kind === "startupProbe" && worker.result === false) {
        this.onUnhealthy(pod, container.name, containerId);
        return;
      }
      if (before !== worker.result) this.onChange(pod);
    };
    worker.timer = setTimeout(
      () => {
        void tick();
        worker.timer = setInterval(() => void tick(), period);
        worker.timer.unref();
      },
      (probe.initialDelaySeconds ?? 0) * 1000,
    );
    worker.timer.unref();
    this.workers.set(key, worker);
  }

  private async run(
    probe: Probe,
    container: Container,
    containerId: string,
    podIP?: string,
  ): Promise<boolean> {
    const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
    const deadline = <T>(p: Promise<T>, fallback: T) =>
      Promise.race([p, new Promise<T>((resolve) => setTimeout(() => resolve(fallback), timeoutMs))]);
    try {
      if (probe.exec) {
        const session = await this.runtime.exec(containerId, {
          command: probe.exec.command,
          stdin: false,
          tty: false,
        });
        session.stdout.resume();
        session.stderr.resume();
        return (await deadline(session.exitCode(), -1)) === 0;
      }
      if (!podIP) return false;
      if (probe.httpGet) {
        const port = resolvePort(container, probe.httpGet.port);
        const scheme = (probe.httpGet.scheme ?? "HTTP").toLowerCase();
        const headers = Object.fromEntries((probe.httpGet.httpHeaders ?? []).map((h) => [h.name, h.value]));
        const res = await fetch(`${scheme}://${podIP}:${port}${probe.httpGet.path ?? "/"}`, {
          headers,
          signal: AbortSignal.timeout(timeoutMs),
          redirect: "manual",
        });
        await res.arrayBuffer().catch(() => undefined);
        return res.status >= 200 && res.status < 400;
      }
      if (probe.tcpSocket) {
        const port = resolvePort(container, probe.tcpSocket.port);
        return await deadline(
          new Promise<boolean>((resolve) => {
            const socket = connect({ host: podIP, port }, () => {
              socket.destroy();
              resolve(true);
            });
            socket.on("error", () => resolve(false));
          }),
          false,
        );
      }
    } catch {
      return false;
    }
    return true;
  }
}
