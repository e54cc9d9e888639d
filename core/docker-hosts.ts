import { z } from "zod";

/** A DNS-1123 label: it names Docker networks and containers, and is a node's name in every cluster. */
const label = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be a DNS-1123 label: lower case letters, digits and '-'");

export const taintSchema = z.object({
  key: z.string().min(1),
  value: z.string().optional(),
  effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]),
});

/**
 * A Docker host to run pods on, as `POST /v1/nodes` takes it and `TIMONIER_DOCKER_HOSTS` lists them: the
 * fields alone, so that the API's schema adds its OpenAPI words to each.
 */
export const dockerHostFields = {
  name: label,
  dockerHost: z
    .string()
    .regex(
      /^((unix|tcp):\/\/.+|simulated:\/\/.*)$/,
      "must be unix:///path/to/docker.sock, tcp://host:port or simulated://",
    ),
  certPath: z.string().min(1).optional(),
  address: z.string().min(1),
  labels: z.record(z.string(), z.string()).optional(),
  taints: z.array(taintSchema).optional(),
  maxPods: z.number().int().min(1).optional(),
};

const dockerHost = z.object(dockerHostFields).strict();
export type DockerHost = z.infer<typeof dockerHost>;

/**
 * `TIMONIER_DOCKER_HOSTS`: a JSON array of Docker hosts registered as nodes at start, each name once.
 * Throws naming the bad entry.
 */
export function parseDockerHosts(json: string | undefined): DockerHost[] {
  if (!json?.trim()) return [];
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (e) {
    throw new Error(`not JSON: ${(e as Error).message}`);
  }
  const parsed = z.array(dockerHost).safeParse(value);
  if (!parsed.success)
    throw new Error(parsed.error.issues.map((i) => `[${i.path.join(".")}] ${i.message}`).join("; "));
  const seen = new Set<string>();
  for (const host of parsed.data) {
    if (seen.has(host.name)) throw new Error(`${host.name} is listed twice`);
    if (host.dockerHost.startsWith("tcp://") && !host.certPath)
      throw new Error(`${host.name}: a tcp:// engine is reached over TLS only: give certPath`);
    seen.add(host.name);
  }
  return parsed.data;
}
