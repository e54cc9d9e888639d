import type { DockerHost } from "../../../core/docker-hosts";
import type { Logger } from "../../../core/telemetry";
import type { NodeRepository, NodeRow } from "../../../db/nodes";
import { dockerFromHost } from "../../../workers/node-agent/docker-runtime";
import { registration } from "../../../workers/node-agent/node-lease";
import { isSimulatedHost, simulatedInfo } from "../../../workers/node-agent/simulated/host";
import { ApiError } from "../errors";

const ENGINE_TIMEOUT_MS = 5_000;

/** Whether `simulated://` nodes may be registered (TIMONIER_SIMULATED_NODES: benches and tests). */
export interface RegistrationOptions {
  simulatedNodes: boolean;
}

async function engineInfo(host: DockerHost, options: RegistrationOptions) {
  const { dockerHost, certPath } = host;
  if (isSimulatedHost(dockerHost)) {
    if (!options.simulatedNodes)
      throw new ApiError(422, "invalid", "simulated nodes are not enabled (TIMONIER_SIMULATED_NODES)");
    return simulatedInfo(host.name);
  }
  if (dockerHost.startsWith("tcp://") && !certPath)
    throw new ApiError(422, "invalid", "a tcp:// engine is reached over TLS only: give certPath");
  let docker: ReturnType<typeof dockerFromHost>;
  try {
    docker = dockerFromHost(dockerHost, certPath);
  } catch (err) {
    throw new ApiError(422, "invalid", `certPath: ${(err as Error).message}`);
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${ENGINE_TIMEOUT_MS / 1000} s`)),
      ENGINE_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([docker.info(), timeout]);
  } catch (err) {
    throw new ApiError(422, "unreachable", `the Docker engine at ${dockerHost}: ${(err as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Registers a Docker host as a node, its figures asked of its engine: what `POST /v1/nodes` does. An
 * ApiError says why not: 409 a node of that name exists, 422 the engine is not reachable (over TLS).
 */
export async function registerNode(
  nodes: NodeRepository,
  host: DockerHost,
  options: RegistrationOptions,
): Promise<NodeRow> {
  const taken = () => new ApiError(409, "already_exists", `node ${host.name} already exists`);
  if (await nodes.get(host.name)) throw taken();
  const info = await engineInfo(host, options);
  const identity = {
    name: host.name,
    address: host.address,
    dockerHost: host.dockerHost,
    ...(host.labels ? { labels: host.labels } : {}),
    ...(host.taints ? { taints: host.taints } : {}),
    ...(host.maxPods ? { maxPods: host.maxPods } : {}),
  };
  const row = await nodes.create(registration(identity, info, null), {
    certPath: host.certPath ?? null,
    maxPods: host.maxPods ?? null,
  });
  if (!row) throw taken();
  return row;
}

/**
 * Registers the Docker hosts the platform's configuration lists (`TIMONIER_DOCKER_HOSTS`) that are not
 * nodes yet, as `POST /v1/nodes` would; a node of that name is left as it is (the admin may have cordoned
 * it), so a restart or a second API replica changes nothing. Returns the hosts whose engine did not
 * answer, to be tried again.
 */
export async function registerListedHosts(
  nodes: NodeRepository,
  hosts: DockerHost[],
  logger: Logger,
  options: RegistrationOptions,
): Promise<DockerHost[]> {
  const outcomes = await Promise.all(
    hosts.map(async (host) => {
      const existing = await nodes.get(host.name);
      if (existing) {
        if (existing.dockerHost !== host.dockerHost)
          logger.warn("listed Docker host differs from its node, which is kept", {
            node: host.name,
            listed: host.dockerHost,
            registered: existing.dockerHost,
          });
        return undefined;
      }
      try {
        await registerNode(nodes, host, options);
        logger.info("listed Docker host registered", { node: host.name, dockerHost: host.dockerHost });
        return undefined;
      } catch (err) {
        if (!(err instanceof ApiError) || (err.status !== 409 && err.status !== 422)) throw err;
        if (err.status === 409) return undefined;
        logger.warn("listed Docker host not registered yet", { node: host.name, error: err.message });
        return host;
      }
    }),
  );
  return outcomes.filter((h): h is DockerHost => h !== undefined);
}

/**
 * Registers the listed hosts at once, then tries those whose engine did not answer again every
 * `periodMs` until each is a node. `stop` ends the retries.
 */
export async function registerListedHostsAtStart(
  nodes: NodeRepository,
  hosts: DockerHost[],
  logger: Logger,
  periodMs: number,
  options: RegistrationOptions,
): Promise<{ stop(): void }> {
  let pending = await registerListedHosts(nodes, hosts, logger, options);
  let running = false;
  const timer = setInterval(() => {
    if (!pending.length) return clearInterval(timer);
    if (running) return;
    running = true;
    registerListedHosts(nodes, pending, logger, options)
      .then((left) => {
        pending = left;
      })
      .catch((e: Error) => logger.warn("listed Docker hosts not registered", { error: e.message }))
      .finally(() => {
        running = false;
      });
  }, periodMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
