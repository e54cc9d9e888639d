import { type ContainerDefaults, effectiveLimits } from "../../core/k8s/budget";
import { cpuMillis } from "../../core/k8s/requests";
import type { Container, EnvVar } from "../../core/k8s/types";
import { containerEnvironment, expandVars } from "./env-expansion";
import { containerHash } from "./plan";
import type { ContainerSpec, PodIdentity } from "./runtime";

/** An envFrom entry: a whole ConfigMap or Secret, its keys prefixed. */
export interface EnvFromSource {
  prefix?: string;
  configMapRef?: { name: string; optional?: boolean };
  secretRef?: { name: string; optional?: boolean };
}

/** Where a container's environment comes from besides its own literals. */
export interface EnvSources {
  /** The Services' variables every container starts with. */
  services: Record<string, string>;
  /** The value an env var refers to (fieldRef, configMapKeyRef, secretKeyRef). */
  value(ref: EnvVar["valueFrom"]): Promise<string | undefined>;
  /** The data of an envFrom's ConfigMap or Secret. */
  source(from: EnvFromSource): Promise<Record<string, string> | undefined>;
}

const CPU_PERIOD_SHARES = 1024;
/** The smallest CFS quota, 1 ms of the 100 ms period: the kubelet raises a smaller CPU limit to it. */
const MIN_CPU_MILLIS = 10;

/**
 * The runtime spec of one container: K8s command/args semantics, env, and cgroup limits. Memory and CPU
 * limits are the container's own, else the platform's `defaults`, and every container gets the pids
 * limit: the defaults apply at the runtime only, the pod spec (hence its QoS class and quota usage) stays
 * as the student wrote it. CPU shares follow the spec's request (or its own limit) as the kubelet's do.
 */
export async function containerSpec(
  identity: PodIdentity,
  container: Container,
  sandboxId: string,
  attempt: number,
  sources: EnvSources,
  defaults: ContainerDefaults,
): Promise<ContainerSpec> {
  const envFrom = (container.envFrom as EnvFromSource[] | undefined) ?? [];
  const fromSources = await Promise.all(
    envFrom.map(async (from) => ({
      ...(from.prefix ? { prefix: from.prefix } : {}),
      values: (await sources.source(from)) ?? {},
    })),
  );
  const vars = await Promise.all(
    (container.env ?? []).map(async (e) => ({
      name: e.name,
      value: e.valueFrom ? await sources.value(e.valueFrom) : (e.value ?? ""),
      literal: !e.valueFrom,
    })),
  );
  const environment = containerEnvironment(sources.services, fromSources, vars);
  const expand = (list: string[]) => list.map((arg) => expandVars(arg, (name) => environment.get(name)));
  const env = [...environment].map(([name, value]) => `${name}=${value}`);
  const limits = container.resources?.limits ?? {};
  const requests = container.resources?.requests ?? {};
  const cpuRequest = requests.cpu ? cpuMillis(requests.cpu) : limits.cpu ? cpuMillis(limits.cpu) : 0;
  const effective = effectiveLimits(container, defaults);
  return {
    pod: identity,
    hash: containerHash(container),
    sandboxId,
    name: container.name,
    attempt,
    image: container.image ?? "",
    ...(container.command ? { command: expand(container.command) } : {}),
    ...(container.args ? { args: expand(container.args) } : {}),
    env,
    ...(container.workingDir ? { workingDir: container.workingDir } : {}),
    tty: container.tty ?? false,
    stdin: container.stdin ?? false,
    stdinOnce: (container.stdinOnce as boolean | undefined) ?? false,
    memoryBytes: effective.memoryBytes,
    nanoCpus: Math.max(MIN_CPU_MILLIS, effective.cpuMillis) * 1_000_000,
    pidsLimit: effective.pids,
    ...(cpuRequest ? { cpuShares: Math.max(2, Math.round((cpuRequest * CPU_PERIOD_SHARES) / 1000)) } : {}),
  };
}
