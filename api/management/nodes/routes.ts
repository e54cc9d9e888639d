import { createRoute, z } from "@hono/zod-openapi";
import { dockerHostFields, taintSchema } from "../../../core/docker-hosts";
import { ErrorSchema } from "../clusters/routes";

const json = (schema: z.ZodTypeAny, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

export const CreateNodeSchema = z
  .object({
    name: dockerHostFields.name.openapi({
      description: "The node's name in every cluster",
      example: "docker-2",
    }),
    dockerHost: dockerHostFields.dockerHost.openapi({
      description:
        "The engine's endpoint, as DOCKER_HOST: a unix socket the workers can open, or tcp:// with certPath (TLS); simulated:// for a node without an engine whose pods are simulated, where TIMONIER_SIMULATED_NODES allows it (benches, tests)",
      example: "tcp://10.0.0.12:2376",
    }),
    certPath: dockerHostFields.certPath.openapi({
      description:
        "A directory on the API's and the workers' hosts holding ca.pem, cert.pem and key.pem for a TLS engine, as DOCKER_CERT_PATH",
      example: "/etc/timonier/docker/docker-2",
    }),
    address: dockerHostFields.address.openapi({
      description: "The node's address as users reach it (NodePort, LoadBalancer): its InternalIP",
      example: "10.0.0.12",
    }),
    labels: dockerHostFields.labels.openapi({ example: { zone: "b" } }),
    taints: dockerHostFields.taints,
    maxPods: dockerHostFields.maxPods.openapi({
      description:
        "How many pods it takes, of every cluster together; by default one per 32 MiB of its memory",
    }),
  })
  .strict()
  .openapi("CreateNode");

const ConditionSchema = z.object({
  type: z.string(),
  status: z.enum(["True", "False", "Unknown"]),
  reason: z.string(),
  message: z.string(),
  lastHeartbeatTime: z.string(),
  lastTransitionTime: z.string(),
});

export const NodeSchema = z
  .object({
    name: z.string(),
    dockerHost: z.string(),
    address: z.string(),
    managed: z.boolean().openapi({
      description:
        "Registered here (true) rather than configured in a worker's environment (DOCKER_HOST), which only that worker's restart changes",
    }),
    capacity: z.record(z.string(), z.string()).openapi({ description: "The engine's own figures" }),
    allocatable: z.record(z.string(), z.string()),
    pods: z.number().int().openapi({ description: "Pods bound to it, of every cluster, not yet finished" }),
    lastHeartbeat: z.string().nullable().openapi({ description: "null until its agent first posts" }),
    conditions: z.array(ConditionSchema),
    unschedulable: z.boolean(),
    draining: z.boolean(),
    taints: z.array(taintSchema.extend({ timeAdded: z.string().optional() })),
    labels: z.record(z.string(), z.string()),
  })
  .openapi("Node");

const NodeParam = z.object({ name: z.string().openapi({ param: { name: "name", in: "path" } }) });

const errors = {
  400: json(ErrorSchema, "Invalid request"),
  401: json(ErrorSchema, "Missing token"),
  403: json(ErrorSchema, "Not the platform admin's token"),
} as const;
const notFound = { 404: json(ErrorSchema, "No such node") } as const;

export const createNode = createRoute({
  method: "post",
  path: "/nodes",
  summary: "Register a Docker host as a node",
  description:
    "The API asks the engine for its figures (capacity, versions) before answering; the workers start its agent within a resync period, with no restart. The node is Ready once that agent heartbeats.",
  request: { body: { content: { "application/json": { schema: CreateNodeSchema } }, required: true } },
  responses: {
    201: json(NodeSchema, "The node"),
    ...errors,
    409: json(ErrorSchema, "A node of that name exists"),
    422: json(ErrorSchema, "The engine cannot be reached, or a tcp endpoint without TLS"),
  },
});

export const listNodes = createRoute({
  method: "get",
  path: "/nodes",
  summary: "List the nodes with their capacity, pods, heartbeat and conditions",
  responses: { 200: json(z.object({ items: z.array(NodeSchema) }), "The nodes"), ...errors },
});

export const getNode = createRoute({
  method: "get",
  path: "/nodes/{name}",
  summary: "Get a node",
  request: { params: NodeParam },
  responses: { 200: json(NodeSchema, "The node"), ...errors, ...notFound },
});

export const deleteNode = createRoute({
  method: "delete",
  path: "/nodes/{name}",
  summary: "Drain a node and remove it",
  description:
    "Cordons the node for every cluster and evicts its pods as `kubectl drain` does (DaemonSet pods go with the node), each within its PodDisruptionBudget: a budget that allows no more is a 409 naming the pods it keeps, the node staying cordoned (nothing is evicted when no budget allows any; call again once they may go). Answers 202 while the pods stop; the node then disappears (GET answers 404). A node whose agent is gone has its pods deleted at once.",
  request: { params: NodeParam },
  responses: {
    202: json(NodeSchema, "Draining"),
    ...errors,
    ...notFound,
    409: json(ErrorSchema, "A PodDisruptionBudget allows no more disruption"),
  },
});
