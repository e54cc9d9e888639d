import { hostname } from "node:os";
import { z } from "zod";
import { parseDockerHosts } from "./docker-hosts";
import { cpuMillis, memoryBytes } from "./k8s/requests";
import { parseLabels, parseTaints } from "./k8s/scheduling/node-settings";
import { tokenSecret } from "./tokens";

const quantity = (fallback: string) =>
  z
    .string()
    .refine((q) => memoryBytes(q) > 0, "must be a positive memory quantity such as 512Mi")
    .default(fallback);

const schema = z.object({
  TIMONIER_HOST: z.string().default("127.0.0.1"),
  TIMONIER_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  /** The URL clients use (kubeconfig `server` base); defaults to the listen address. */
  TIMONIER_PUBLIC_URL: z.url().optional(),
  /** Port of the HTTPS listener that serves the Kubernetes API to kubectl. */
  TIMONIER_TLS_PORT: z.coerce.number().int().min(0).max(65535).default(8443),
  /** Base URL of that listener as clients reach it; the kubeconfig's `server` starts with it. */
  TIMONIER_KUBE_URL: z.url().optional(),
  /** Where state lives on this machine: the serving certificate, the generated admin token. */
  TIMONIER_DATA_DIR: z.string().default(".timonier"),
  TIMONIER_ADMIN_TOKEN: z.string().min(16, "must be at least 16 characters"),
  /** Secret behind cluster tokens; derived from the admin token when unset. */
  TIMONIER_TOKEN_SECRET: z.string().min(16).optional(),
  DATABASE_URL: z.url(),
  REDIS_URL: z.url(),
  DOCKER_HOST: z.string().default("unix:///var/run/docker.sock"),
  /** Docker's own TLS settings for a remote engine (tcp://host:2376): ca.pem, cert.pem, key.pem in the folder. */
  DOCKER_TLS_VERIFY: z.string().optional(),
  DOCKER_CERT_PATH: z.string().optional(),
  /**
   * `true` lets the admin register simulated nodes (`simulated://` engines, whose pods are kept in memory
   * by their agent): for benches and tests of the control plane, never for students.
   */
  TIMONIER_SIMULATED_NODES: z.enum(["true", "false"]).default("false"),
  /** The node this worker process drives, when it runs a node agent. */
  TIMONIER_NODE_NAME: z.string().default(hostname()),
  /** Address the node agent's log server binds; its port is published in the nodes table. */
  TIMONIER_AGENT_HOST: z.string().default("127.0.0.1"),
  TIMONIER_AGENT_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  /** Where a worker process answers GET /livez for a supervisor's liveness probe (0: nowhere). */
  TIMONIER_LIVEZ_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  /** The URL the API reaches the node agent at, when not the address it binds (in a pod, its Service). */
  TIMONIER_AGENT_URL: z.url().optional(),
  /**
   * The host the API reaches this process's agents of registered nodes at (each on a port of its own), when
   * not TIMONIER_AGENT_HOST: the pod's address, or the Docker host's name as the API's container knows it.
   */
  TIMONIER_AGENT_ADVERTISE_HOST: z.string().optional(),
  /**
   * Which node agents a worker process runs: `true` the one of DOCKER_HOST and those of the registered
   * nodes it holds, `registered` only the latter, `false` none.
   */
  TIMONIER_NODE_AGENT: z.enum(["true", "registered", "false"]).default("true"),
  /**
   * Docker hosts registered as nodes when the API starts, as `POST /v1/nodes` takes them, in a JSON array:
   * `[{"name":"node-2","dockerHost":"tcp://10.0.0.12:2376","certPath":"/etc/timonier/docker/node-2","address":"10.0.0.12"}]`.
   * A name that is already a node is left as it is.
   */
  TIMONIER_DOCKER_HOSTS: z.string().default(""),
  /** The node's address as users outside reach it (NodePort and friends). */
  TIMONIER_NODE_ADDRESS: z.string().default("127.0.0.1"),
  /** Labels and taints of the node this worker drives: `k=v,…` and kubectl's `key[=value]:Effect,…`. */
  TIMONIER_NODE_LABELS: z.string().default(""),
  TIMONIER_NODE_TAINTS: z.string().default(""),
  /**
   * How many pods the node takes, of every cluster together: by default one per 32 MiB of the host's
   * memory and never fewer than kubelet's 110, since one Docker host serves a whole class.
   */
  TIMONIER_NODE_MAX_PODS: z.coerce.number().int().positive().optional(),
  /** The block every cluster's own address block (pods and Services) is cut from, and that block's size. */
  TIMONIER_CLUSTER_NETWORK_POOL: z
    .string()
    .regex(/^\d+\.\d+\.\d+\.\d+\/\d+$/)
    .default("10.128.0.0/9"),
  TIMONIER_CLUSTER_NETWORK_PREFIX: z.coerce.number().int().min(16).max(28).default(23),
  /** Addresses given to LoadBalancer Services; the node gateway listens on them (loopback by default). */
  TIMONIER_LOADBALANCER_POOL: z
    .string()
    .regex(/^\d+\.\d+\.\d+\.\d+\/\d+$/)
    .default("127.1.0.0/16"),
  /** How many NodePorts and LoadBalancer addresses, both shared by every cluster, one cluster may hold. */
  TIMONIER_MAX_NODEPORTS_PER_CLUSTER: z.coerce.number().int().min(0).default(10),
  TIMONIER_MAX_LOADBALANCERS_PER_CLUSTER: z.coerce.number().int().min(0).default(5),
  /**
   * Each student cluster's budget, unless the management API sets another: the sums of its running pods'
   * memory and CPU limits, and its number of pods. Containers without limits get the container defaults.
   */
  TIMONIER_CLUSTER_MEMORY: quantity("8Gi"),
  TIMONIER_CLUSTER_CPU: z
    .string()
    .refine((q) => cpuMillis(q) > 0, "must be a CPU quantity such as 2 or 500m")
    .default("16"),
  TIMONIER_CLUSTER_PODS: z.coerce.number().int().min(1).default(50),
  /** What one cluster's objects may take in the platform's database (JSON bytes). */
  TIMONIER_CLUSTER_STORAGE: quantity("64Mi"),
  TIMONIER_CONTAINER_MEMORY: quantity("256Mi"),
  TIMONIER_CONTAINER_CPU: z
    .string()
    .refine((q) => cpuMillis(q) > 0, "must be a CPU quantity such as 2 or 500m")
    .default("1"),
  TIMONIER_CONTAINER_PIDS: z.coerce.number().int().min(16).default(512),
  /** Requests per second each cluster may sustain on one API process, and its burst (kubectl's own defaults). */
  TIMONIER_CLUSTER_QPS: z.coerce.number().positive().default(50),
  TIMONIER_CLUSTER_BURST: z.coerce.number().int().min(1).default(300),
  TIMONIER_CLUSTER_MAX_INFLIGHT: z.coerce.number().int().min(1).default(8),
  TIMONIER_CLUSTER_MAX_WATCHES: z.coerce.number().int().min(1).default(250),
  /** Limits on rendering one chart (releases API): a chart past them is refused with a 422 naming the limit. */
  TIMONIER_CHART_RENDER_SECONDS: z.coerce.number().positive().default(5),
  TIMONIER_CHART_RENDER_MEMORY_MB: z.coerce.number().int().min(32).default(256),
  /** Where each node's gateway serves Ingress, and the domain under which every cluster gets its hosts. */
  TIMONIER_INGRESS_PORT: z.coerce.number().int().min(1).max(65535).default(8880),
  TIMONIER_INGRESS_TLS_PORT: z.coerce.number().int().min(1).max(65535).default(8843),
  TIMONIER_INGRESS_DOMAIN: z.string().default("timonier.localhost"),
  /** The largest tmpfs a memory-backed emptyDir gets, whatever its sizeLimit: a quantity (`512Mi`). */
  TIMONIER_MAX_MEMORY_EMPTYDIR: quantity("512Mi"),
  /** Seconds between two samples of every container's CPU and memory (metrics.k8s.io, autoscaling). */
  TIMONIER_METRICS_SECONDS: z.coerce.number().positive().default(15),
  /** How long an Event lives after it was last seen (kube-apiserver's --event-ttl). */
  TIMONIER_EVENT_TTL_SECONDS: z.coerce.number().positive().default(3600),
  /**
   * How long a node may go without a heartbeat before it is `Ready=Unknown` and tainted unreachable
   * (kube-controller-manager's --node-monitor-grace-period).
   */
  TIMONIER_NODE_MONITOR_GRACE_SECONDS: z.coerce.number().positive().default(40),
  /**
   * The tolerationSeconds of the not-ready and unreachable NoExecute tolerations a new pod gets when it
   * names none (kube-apiserver's --default-not-ready-toleration-seconds and --default-unreachable-toleration-seconds).
   */
  TIMONIER_DEFAULT_TOLERATION_SECONDS: z.coerce.number().int().nonnegative().default(300),
  /** Seconds between full resyncs of the level-triggered reconcilers. */
  TIMONIER_RESYNC_SECONDS: z.coerce.number().positive().default(10),
  /** Redis key prefix of every queue: platforms sharing one Redis stay apart. */
  TIMONIER_QUEUE_PREFIX: z
    .string()
    .regex(/^[a-z0-9-]+$/)
    .default("timonier"),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
});

export type Config = ReturnType<typeof loadConfig>;

/** Where the client certificate for a TLS Docker engine is, as the docker CLI finds it. */
export function dockerCertPath(env: {
  DOCKER_TLS_VERIFY?: string | undefined;
  DOCKER_CERT_PATH?: string | undefined;
}) {
  return (
    env.DOCKER_CERT_PATH ?? (env.DOCKER_TLS_VERIFY && env.DOCKER_TLS_VERIFY !== "0" ? "~/.docker" : undefined)
  );
}

/** Validates the environment once at boot; a bad value throws an error naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  // a variable set to nothing (`OTEL_EXPORTER_OTLP_ENDPOINT=`, as Compose passes an unset one) is unset
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== "")));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`invalid configuration: ${problems}`);
  }
  const c = parsed.data;
  const node = {
    labels: named("TIMONIER_NODE_LABELS", () => parseLabels(c.TIMONIER_NODE_LABELS)),
    taints: named("TIMONIER_NODE_TAINTS", () => parseTaints(c.TIMONIER_NODE_TAINTS)),
  };
  return {
    host: c.TIMONIER_HOST,
    port: c.TIMONIER_PORT,
    publicUrl: (c.TIMONIER_PUBLIC_URL ?? `http://${c.TIMONIER_HOST}:${c.TIMONIER_PORT}`).replace(/\/$/, ""),
    tlsPort: c.TIMONIER_TLS_PORT,
    kubeUrl: (c.TIMONIER_KUBE_URL ?? `https://${c.TIMONIER_HOST}:${c.TIMONIER_TLS_PORT}`).replace(/\/$/, ""),
    dataDir: c.TIMONIER_DATA_DIR,
    adminToken: c.TIMONIER_ADMIN_TOKEN,
    tokenSecret: tokenSecret(c.TIMONIER_ADMIN_TOKEN, c.TIMONIER_TOKEN_SECRET),
    databaseUrl: c.DATABASE_URL,
    redisUrl: c.REDIS_URL,
    dockerHost: c.DOCKER_HOST,
    dockerCertPath: dockerCertPath(c),
    simulatedNodes: c.TIMONIER_SIMULATED_NODES === "true",
    nodeName: c.TIMONIER_NODE_NAME,
    agentHost: c.TIMONIER_AGENT_HOST,
    agentPort: c.TIMONIER_AGENT_PORT,
    agentUrl: c.TIMONIER_AGENT_URL,
    agentAdvertiseHost: c.TIMONIER_AGENT_ADVERTISE_HOST ?? c.TIMONIER_AGENT_HOST,
    nodeAgent: ({ true: true, registered: "registered", false: false } as const)[c.TIMONIER_NODE_AGENT],
    dockerHosts: named("TIMONIER_DOCKER_HOSTS", () => parseDockerHosts(c.TIMONIER_DOCKER_HOSTS)),
    livezPort: c.TIMONIER_LIVEZ_PORT,
    nodeAddress: c.TIMONIER_NODE_ADDRESS,
    nodeLabels: node.labels,
    nodeTaints: node.taints,
    nodeMaxPods: c.TIMONIER_NODE_MAX_PODS,
    resyncSeconds: c.TIMONIER_RESYNC_SECONDS,
    nodeMonitorGraceSeconds: c.TIMONIER_NODE_MONITOR_GRACE_SECONDS,
    defaultTolerationSeconds: c.TIMONIER_DEFAULT_TOLERATION_SECONDS,
    eventTtlSeconds: c.TIMONIER_EVENT_TTL_SECONDS,
    metricsSeconds: c.TIMONIER_METRICS_SECONDS,
    maxMemoryEmptyDirBytes: memoryBytes(c.TIMONIER_MAX_MEMORY_EMPTYDIR),
    clusterNetworks: { pool: c.TIMONIER_CLUSTER_NETWORK_POOL, prefix: c.TIMONIER_CLUSTER_NETWORK_PREFIX },
    loadBalancerPool: c.TIMONIER_LOADBALANCER_POOL,
    budget: {
      memoryBytes: memoryBytes(c.TIMONIER_CLUSTER_MEMORY),
      cpuMillis: cpuMillis(c.TIMONIER_CLUSTER_CPU),
      pods: c.TIMONIER_CLUSTER_PODS,
      storageBytes: memoryBytes(c.TIMONIER_CLUSTER_STORAGE),
    },
    containerDefaults: {
      memoryBytes: memoryBytes(c.TIMONIER_CONTAINER_MEMORY),
      cpuMillis: cpuMillis(c.TIMONIER_CONTAINER_CPU),
      pids: c.TIMONIER_CONTAINER_PIDS,
    },
    rateLimit: {
      qps: c.TIMONIER_CLUSTER_QPS,
      burst: c.TIMONIER_CLUSTER_BURST,
      inflight: c.TIMONIER_CLUSTER_MAX_INFLIGHT,
      watches: c.TIMONIER_CLUSTER_MAX_WATCHES,
    },
    chartRender: {
      timeoutMs: c.TIMONIER_CHART_RENDER_SECONDS * 1000,
      memoryMb: c.TIMONIER_CHART_RENDER_MEMORY_MB,
    },
    serviceLimits: {
      nodePorts: c.TIMONIER_MAX_NODEPORTS_PER_CLUSTER,
      loadBalancers: c.TIMONIER_MAX_LOADBALANCERS_PER_CLUSTER,
    },
    ingress: {
      port: c.TIMONIER_INGRESS_PORT,
      tlsPort: c.TIMONIER_INGRESS_TLS_PORT,
      domain: c.TIMONIER_INGRESS_DOMAIN,
    },
    queuePrefix: c.TIMONIER_QUEUE_PREFIX,
    otlpEndpoint: c.OTEL_EXPORTER_OTLP_ENDPOINT,
  };
}

/** A variable's own parse, its error naming the variable. */
function named<T>(variable: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    throw new Error(`invalid configuration: ${variable}: ${(e as Error).message}`);
  }
}
