import { ensureImages } from "../../infra/images/build";
import { ensureLocalStack, type LocalStack } from "../../infra/local/services";
import { dockerFromHost } from "../../workers/node-agent/docker-runtime";

/**
 * Brings up (or reuses) Postgres, Redis, Docker and the offline images, and exports DATABASE_URL,
 * REDIS_URL and DOCKER_HOST for the suites and benchmarks that follow.
 */
export async function prepareStack(): Promise<LocalStack> {
  const stack = await ensureLocalStack();
  await ensureImages({ docker: dockerFromHost(stack.dockerHost), dataDir: stack.dataDir });
  process.env.DATABASE_URL = stack.databaseUrl;
  process.env.REDIS_URL = stack.redisUrl;
  process.env.DOCKER_HOST = stack.dockerHost;
  return stack;
}
