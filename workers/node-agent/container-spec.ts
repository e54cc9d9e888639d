import { cpuMillis, memoryBytes } from "../../core/k8s/requests";
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

/** The runtime spec of one container: K8s command/args semantics, env, cgroup limits from resources. */
export async function containerSpec(
  identity: PodIdentity,
  container: Container,
  sandboxId: string,
  attempt: number,
  sources: EnvSources,
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
  const cpuLimit = limits.cpu ? cpuMillis(limits.cpu) : 0;
  const cpuRequest = requests.cpu ? cpuMillis(requests.cpu) : cpuLimit;
  const memory = limits.memory ? memoryBytes(limits.memory) : 0;
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
    ...(memory ? { memoryBytes: memory } : {}),
    ...(cpuLimit ? { nanoCpus: cpuLimit * 1_000_000 } : {}),
    ...(cpuRequest ? { cpuShares: Math.max(2, Math.round((cpuRequest * CPU_PERIOD_SHARES) / 1000)) } : {}),
  };
}
