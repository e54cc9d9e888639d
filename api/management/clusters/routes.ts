import { createRoute, z } from "@hono/zod-openapi";

export const ErrorSchema = z
  .object({ error: z.object({ code: z.string(), message: z.string() }) })
  .openapi("Error");

/** A student's cluster name: a DNS-1123 label, so it can name Docker networks and hostnames. */
export const ClusterName = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be a DNS-1123 label: lower case letters, digits and '-'")
  .openapi({ example: "alice" });

export const CreateClusterSchema = z
  .object({
    name: ClusterName,
    tenant: ClusterName.optional().openapi({
      description:
        "The class this cluster belongs to. The admin's default is `default`, and a class named here that does not exist yet is made (without a teacher token); a teacher's default is their own class, the only one they may name.",
      example: "k8s-101",
    }),
    expiresAt: z.iso.datetime({ offset: true }).optional().openapi({
      description:
        "When the cluster is deleted with everything it ran (RFC 3339); the class's lifetime when left out",
      example: "2027-01-31T18:00:00Z",
    }),
  })
  .strict()
  .openapi("CreateCluster");

export const ClusterSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    tenant: z.string(),
    phase: z.enum(["Active", "Sleeping", "Resetting", "Terminating"]).openapi({
      description:
        "Active; Sleeping once idle for its class's idleBeforeSleep (its containers removed while its objects and volumes stay; the next request to its Kubernetes API wakes it); Resetting while `POST …/reset` empties it (its Kubernetes API refuses writes meanwhile with a 503 and Retry-After, which kubectl waits out); Terminating while it is torn down",
    }),
    server: z.url().openapi({ description: "The cluster's Kubernetes API URL" }),
    createdAt: z.string(),
    expiresAt: z.string().nullable().openapi({
      description:
        "When it is deleted with everything it ran: the request's expiresAt, else its class's clusterLifetime from creation (null: no end)",
    }),
  })
  .openapi("Cluster");

const Quantity = (example: string) => z.string().openapi({ example });

export const BudgetSchema = z
  .object({
    memory: Quantity("8Gi").openapi({ description: "The sum of the memory limits of its running pods" }),
    cpu: Quantity("4").openapi({ description: "The sum of the CPU limits of its running pods" }),
    pods: Quantity("50").openapi({ description: "How many pods that have not finished it may have" }),
    storage: Quantity("64Mi").openapi({
      description: "What its objects may take in the platform's database",
    }),
  })
  .openapi("Budget");

export const ClusterDetailSchema = ClusterSchema.extend({
  budget: BudgetSchema.openapi({
    description:
      "What the cluster may use, enforced by the platform whatever the student does inside it; containers without limits count (and run) with the platform's default limits",
  }),
  usage: BudgetSchema.openapi({ description: "What its pods use of the budget now" }),
}).openapi("ClusterDetail");

export const UpdateClusterSchema = z
  .object({
    budget: z
      .object({
        memory: z.string().optional(),
        cpu: z.string().optional(),
        pods: z.number().int().min(0).optional(),
        storage: z.string().optional(),
      })
      .strict()
      .openapi({ description: "Changes the cluster's budget; what is left out keeps its value" }),
  })
  .strict()
  .openapi("UpdateCluster");

export const ClusterWithKubeconfigSchema = ClusterSchema.extend({
  kubeconfig: z.string().openapi({ description: "kubeconfig YAML for kubectl --kubeconfig" }),
}).openapi("ClusterWithKubeconfig");

const IdParam = z.object({ id: z.string().openapi({ param: { name: "id", in: "path" } }) });
const TenantQuery = z.object({
  tenant: z
    .string()
    .optional()
    .openapi({ param: { name: "tenant", in: "query" }, description: "Only this class's clusters" }),
});

const errors = {
  400: { description: "Invalid request", content: { "application/json": { schema: ErrorSchema } } },
  401: { description: "Missing token", content: { "application/json": { schema: ErrorSchema } } },
  403: {
    description: "Token refused, or the cluster is outside the teacher token's class",
    content: { "application/json": { schema: ErrorSchema } },
  },
} as const;
const notFound = {
  404: { description: "No such cluster", content: { "application/json": { schema: ErrorSchema } } },
} as const;

export const createCluster = createRoute({
  method: "post",
  path: "/clusters",
  summary: "Create a cluster and return its kubeconfig",
  request: { body: { content: { "application/json": { schema: CreateClusterSchema } }, required: true } },
  responses: {
    201: { description: "Created", content: { "application/json": { schema: ClusterWithKubeconfigSchema } } },
    404: {
      description: "A teacher's class is gone",
      content: { "application/json": { schema: ErrorSchema } },
    },
    409: {
      description: "Name taken in this tenant, or the tenant is being deleted",
      content: { "application/json": { schema: ErrorSchema } },
    },
    503: {
      description: "No address block is left for a new cluster (TIMONIER_CLUSTER_NETWORK_POOL is full)",
      content: { "application/json": { schema: ErrorSchema } },
    },
    ...errors,
  },
});

export const listClusters = createRoute({
  method: "get",
  path: "/clusters",
  summary: "List clusters (a teacher sees their own class's only)",
  request: { query: TenantQuery },
  responses: {
    200: {
      description: "Clusters",
      content: { "application/json": { schema: z.object({ items: z.array(ClusterSchema) }) } },
    },
    ...errors,
  },
});

export const getCluster = createRoute({
  method: "get",
  path: "/clusters/{id}",
  summary: "Get a cluster, with its budget and what it uses of it",
  request: { params: IdParam },
  responses: {
    200: { description: "The cluster", content: { "application/json": { schema: ClusterDetailSchema } } },
    ...errors,
    ...notFound,
  },
});

export const updateCluster = createRoute({
  method: "patch",
  path: "/clusters/{id}",
  summary: "Change a cluster's budget",
  description:
    "Pods already running keep running; new pods are refused past the new budget with kube-apiserver's quota message. A teacher may set each amount up to their class's ceiling (422 above it).",
  request: {
    params: IdParam,
    body: { content: { "application/json": { schema: UpdateClusterSchema } }, required: true },
  },
  responses: {
    200: { description: "The cluster", content: { "application/json": { schema: ClusterDetailSchema } } },
    422: {
      description: "An amount above the class's ceiling (teachers)",
      content: { "application/json": { schema: ErrorSchema } },
    },
    ...errors,
    ...notFound,
  },
});

export const getKubeconfig = createRoute({
  method: "get",
  path: "/clusters/{id}/kubeconfig",
  summary: "Get a cluster's kubeconfig again",
  request: { params: IdParam },
  responses: {
    200: { description: "kubeconfig YAML", content: { "application/yaml": { schema: z.string() } } },
    ...errors,
    ...notFound,
  },
});

export const deleteCluster = createRoute({
  method: "delete",
  path: "/clusters/{id}",
  summary: "Tear a cluster down: its objects, containers and network",
  description: "Answers 202 while containers are removed; the cluster then disappears (GET answers 404).",
  request: { params: IdParam },
  responses: {
    202: { description: "Teardown started", content: { "application/json": { schema: ClusterSchema } } },
    ...errors,
    ...notFound,
  },
});

export const rotateKubeconfig = createRoute({
  method: "post",
  path: "/clusters/{id}/kubeconfig/rotate",
  summary: "Give the cluster a new token and return its new kubeconfig",
  description:
    "The old token is refused from then on: at once by this API process, within 2 s by other replicas (their token cache). Streams opened before (watch, exec, logs -f) go on until they end; ServiceAccount tokens made inside the cluster are not affected.",
  request: { params: IdParam },
  responses: {
    200: { description: "The new kubeconfig YAML", content: { "application/yaml": { schema: z.string() } } },
    ...errors,
    ...notFound,
  },
});

export const resetCluster = createRoute({
  method: "post",
  path: "/clusters/{id}/reset",
  summary: "Empty a cluster back to its freshly created state, its class's charts installed again",
  description:
    "Answers 202 with the cluster `Resetting`: every object the student made (namespaces, workloads, releases, volumes' data) and every container goes, then the cluster holds what a new cluster holds (the initial namespaces, the `kubernetes` Service and cluster DNS, RBAC's default roles, the StorageClass and IngressClass) and turns `Active`; its class's charts are then installed as at creation. The cluster keeps its id, name, budget, expiry and token: the same kubeconfig opens it. Meanwhile its Kubernetes API refuses writes with a 503 and Retry-After. A reset of a cluster already Resetting changes nothing; a teacher resets their own class's clusters only.",
  request: { params: IdParam },
  responses: {
    202: { description: "Reset started", content: { "application/json": { schema: ClusterSchema } } },
    409: {
      description: "The cluster is being torn down",
      content: { "application/json": { schema: ErrorSchema } },
    },
    ...errors,
    ...notFound,
  },
});

export const wakeCluster = createRoute({
  method: "post",
  path: "/clusters/{id}/wake",
  summary: "Wake a sleeping cluster without waiting for a request to its Kubernetes API",
  description:
    "Any request to the cluster's Kubernetes API wakes it too. Its pods' containers start again within seconds, with the same names, their volumes and, where it is free, the same IP. Harmless on a cluster that is awake; a cluster being deleted stays Terminating.",
  request: { params: IdParam },
  responses: {
    200: { description: "The cluster", content: { "application/json": { schema: ClusterSchema } } },
    ...errors,
    ...notFound,
  },
});
