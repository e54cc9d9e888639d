import { cpuMillis, memoryBytes } from "../../core/k8s/requests";
import type { Container, EnvVar, Pod } from "../../core/k8s/types";
import { containerHash } from "./plan";
import type { ContainerSpec, PodIdentity } from "./runtime";

/** Reads the value an env var refers to (fieldRef, configMapKeyRef, secretKeyRef). */
export type EnvResolver = (pod: Pod, ref: EnvVar["valueFrom"]) => Promise<string | undefined>;

const CPU_PERIOD_SHARES = 1024;

/** The runtime spec of one container: K8s command/args semantics, env, cgroup limits from resources. */
export async function containerSpec(
  pod: Pod,
  identity: PodIdentity,
  container: Container,
  sandboxId: string,
  attempt: number,
  resolve: EnvResolver,
): Promise<ContainerSpec> {
  const env: string[] = [];
  for (const e of container.env ?? []) {
    const value = e.valueFrom ? await resolve(pod, e.valueFrom) : (e.value ?? "");
    if (value !== undefined) env.push(`${e.name}=${value}`);
  }
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
    ...(container.command ? { command: container.command } : {}),
    ...(container.args ? { args: container.args } : {}),
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
