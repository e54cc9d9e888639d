import { isDeepStrictEqual } from "node:util";
import type { Worker } from "bullmq";
import type Docker from "dockerode";
import type { Redis } from "ioredis";
import type { ContainerDefaults } from "../../core/k8s/budget";
import { allContainers } from "../../core/k8s/pods";
import type { Taint } from "../../core/k8s/scheduling/types";
import { serviceEnvironment } from "../../core/k8s/services/environment";
import type { Service } from "../../core/k8s/services/types";
import type { EphemeralContainer, KubeObject, Pod, PodStatus } from "../../core/k8s/types";
import { METRICS } from "../../core/metrics";
import { GATEWAY, type ObjectRef, QUEUE, type ReconcileJob, type Triggers } from "../../core/queues";
import type { Logger } from "../../core/telemetry";
import type { ClusterRepository } from "../../db/clusters";
import type { ClusterNetworks } from "../../db/networks";
import type { NodeRepository } from "../../db/nodes";
import type { ObjectKey, ObjectStore } from "../../db/store";
import { EventRecorder } from "../events";
import { type Result, runReconciler } from "../shell";
import { containerSpec, type EnvSources } from "./container-spec";
import { NODE_CONTROLLERS } from "./controllers";
import { fieldValue } from "./downward";
import {
  EVICTED,
  emptyDirEviction,
  type LimitedEmptyDir,
  limitedEmptyDirs,
  parseUsage,
  planEviction,
  usageCommand,
} from "./eviction";
import { hookOf, runHook } from "./hooks";
import type { MetricsSampler } from "./metrics";
import type { NodeNetwork } from "./network";
import { type Action, instancesOf, latest, planPodSync } from "./plan";
import { CLUSTER_DOMAIN, podDns } from "./pod-dns";
import { PodVolumes, type PreparedVolumes } from "./pod-volumes";
import { Prober } from "./prober";
import { LABEL, type ObservedPod, type PodIdentity, type PodRuntime } from "./runtime";
import { containerSecurity } from "./security";
import { type AgentServer, startAgentServer } from "./server";
import { type PodProblems, podStatus } from "./status";

export interface NodeAgentOptions {
  nodeName: string;
  /** The node's address as users reach it; reported as InternalIP and hostIP. */
  nodeAddress: string;
  /** The operator's labels and taints for the node, registered with it. */
  nodeLabels?: Record<string, string>;
  nodeTaints?: Taint[];
  agentHost: string;
  agentPort: number;
  /** How the API reaches the agent, when not at the address it binds. */
  agentUrl?: string;
  /** The key of the tickets the API signs for each request to the agent (`agentTicketKey`). */
  ticketKey: string;
  dockerHost: string;
  resyncMs: number;
  runtime: PodRuntime;
  docker: Pick<Docker, "info" | "getEvents">;
  store: ObjectStore;
  nodes: NodeRepository;
  clusters: ClusterRepository;
  networks: ClusterNetworks;
  /** The node's cluster networks, netds and gateway. */
  network: NodeNetwork;
  /** Samples container usage every `metricsMs` (metrics.k8s.io), and the emptyDirs that have a sizeLimit. */
  metrics: MetricsSampler;
  metricsMs: number;
  /** The cap on a memory-backed emptyDir (TIMONIER_MAX_MEMORY_EMPTYDIR). */
  maxMemoryEmptyDirBytes?: number;
  /** The cgroup limits of a container that sets none, and every container's pids limit (TIMONIER_CONTAINER_*). */
  containerDefaults: ContainerDefaults;
  triggers: Triggers;
  connection: Redis;
  logger: Logger;
  now?: () => Date;
}

const HEARTBEAT_MS = 10_000;
/** How soon a pod whose volume cannot be set up (a missing ConfigMap…) is tried again. */
const VOLUME_RETRY_MS = 2_000;

function podKey(ref: ObjectRef): ObjectKey {
  return { clusterId: ref.clusterId, group: "", resource: "pods", namespace: ref.namespace, name: ref.name };
}

/**
 * The node agent (the kubelet's role) for one Docker host: registers and heartbeats the node, converges
 * each bound pod on its own queue, relists periodically so that lost triggers and dead containers are
 * noticed, reacts to Docker's container events, and serves logs to the API.
 */
export class NodeAgent {
  private workers: Worker<ReconcileJob>[] = [];
  private server: AgentServer | undefined;
  private timers: NodeJS.Timeout[] = [];
  private events: NodeJS.ReadableStream | undefined;
  private stopped = false;
  private readonly now: () => Date;
  private readonly recorder: EventRecorder;
  private readonly prober: Prober;
  private readonly volumes: PodVolumes;
  /** Pod uid → cluster id, for the prober's callbacks. */
  private readonly clusters = new Map<string, string>();
  /** Pod uid → container → why it cannot be created (CreateContainerConfigError), until it can. */
  private readonly configErrors = new Map<string, Map<string, string>>();
  /** Pod uid → the eviction message of a pod over an emptyDir's sizeLimit, until its sync evicts it. */
  private readonly evictions = new Map<string, string>();
  private measuring = false;

  constructor(private readonly o: NodeAgentOptions) {
    this.now = o.now ?? (() => new Date());
    this.recorder = new EventRecorder(o.store, "kubelet", o.nodeName, this.now);
    this.volumes = new PodVolumes(o.runtime, o.store, o.maxMemoryEmptyDirBytes);
    this.prober = new Prober(
      o.runtime,
      (pod) => void this.resync(pod),
      (pod, container, id) => void this.restartUnhealthy(pod, container, id),
    );
  }

  async start(): Promise<void> {
    this.server = await startAgentServer({
      runtime: this.o.runtime,
      ticketKey: this.o.ticketKey,
      logger: this.o.logger,
      host: this.o.agentHost,
      port: this.o.agentPort,
    });
    await this.register();
    this.workers = NODE_CONTROLLERS.map((controller) =>
      runReconciler({
        queue: `${controller.queue}-${this.o.nodeName}`,
        connection: this.o.connection,
        triggers: this.o.triggers,
        logger: this.o.logger,
        reconcile: controller.start(this),
      }),
    );
    this.timers.push(
      setInterval(() => void this.o.nodes.heartbeat(this.o.nodeName).catch(() => {}), HEARTBEAT_MS),
    );
    this.timers.push(
      setInterval(
        () =>
          void this.o.metrics
            .sample(this.now())
            .catch((e: Error) => this.o.logger.warn("metrics sampling failed", { error: e.message })),
        this.o.metricsMs,
      ),
    );
    this.timers.push(
      setInterval(
        () =>
          void this.measureEmptyDirs().catch((e: Error) =>
            this.o.logger.warn("emptyDir measurement failed", { error: e.message }),
          ),
        this.o.metricsMs,
      ),
    );
    this.timers.push(
      setInterval(
        () =>
          void this.relist().catch((e: Error) => this.o.logger.warn("relist failed", { error: e.message })),
        this.o.resyncMs,
      ),
    );
    await this.watchDockerEvents();
    await this.relist();
  }

  private async register(): Promise<void> {
    const info = await this.o.docker.info();
    const memKi = `${Math.floor(info.MemTotal / 1024)}Ki`;
    const capacity = { cpu: String(info.NCPU), memory: memKi, pods: "110", "ephemeral-storage": "100Gi" };
    await this.o.nodes.register({
      name: this.o.nodeName,
      dockerHost: this.o.dockerHost,
      agentUrl: this.o.agentUrl ?? this.server?.url ?? null,
      capacity,
      allocatable: capacity,
      labels: this.o.nodeLabels ?? {},
      taints: this.o.nodeTaints ?? [],
      info: {
        kernelVersion: info.KernelVersion,
        osImage: info.OperatingSystem,
        containerRuntimeVersion: `docker://${info.ServerVersion}`,
        architecture:
          info.Architecture === "x86_64"
            ? "amd64"
            : info.Architecture === "aarch64"
              ? "arm64"
              : info.Architecture,
        machineID: info.ID,
      },
      addresses: [
        { type: "InternalIP", address: this.o.nodeAddress },
        { type: "Hostname", address: this.o.nodeName },
      ],
    });
  }

  /** Container exits and OOM kills wake the pod at once instead of waiting for the next relist. */
  private async watchDockerEvents(): Promise<void> {
    const stream = await this.o.docker.getEvents({
      filters: {
        type: ["container"],
        event: ["die", "oom", "start"],
        label: [`${LABEL.node}=${this.o.nodeName}`],
      },
    });
    this.events = stream;
    let buffered = "";
    stream.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      let newline = buffered.indexOf("\n");
      while (newline >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        newline = buffered.indexOf("\n");
        try {
          const labels =
            (JSON.parse(line) as { Actor?: { Attributes?: Record<string, string> } }).Actor?.Attributes ?? {};
          const ref = {
            clusterId: labels[LABEL.cluster] ?? "",
            namespace: labels[LABEL.namespace] ?? "",
            name: labels[LABEL.pod] ?? "",
          };
          if (ref.clusterId && ref.name) void this.o.triggers.syncPod(this.o.nodeName, ref);
        } catch {
          // a partial or foreign event line: the relist covers it
        }
      }
    });
    stream.on("end", () => {
      if (!this.stopped) setTimeout(() => void this.watchDockerEvents().catch(() => {}), 1000);
    });
  }

  /** Level-triggered safety net: every pod bound here and every container found here gets a sync. */
  async relist(): Promise<void> {
    const [bound, observed] = await Promise.all([
      this.o.store.podsOnNode(this.o.nodeName),
      this.o.runtime.listPods(),
    ]);
    const known = new Set<string>();
    for (const { clusterId, pod } of bound) {
      known.add(pod.metadata.uid ?? "");
      await this.o.triggers.syncPod(this.o.nodeName, {
        clusterId,
        namespace: pod.metadata.namespace ?? "",
        name: pod.metadata.name ?? "",
      });
    }
    for (const [uid, o] of observed) {
      if (!known.has(uid))
        await this.o.triggers.syncPod(this.o.nodeName, {
          clusterId: o.pod.clusterId,
          namespace: o.pod.namespace,
          name: o.pod.name,
        });
    }
    const network = QUEUE.nodeNetwork(this.o.nodeName);
    for (const clusterId of new Set(bound.map((b) => b.clusterId)))
      await this.o.triggers.trigger(network, { clusterId, namespace: "", name: "" });
    await this.o.triggers.trigger(network, { clusterId: "", namespace: "", name: GATEWAY });
    await this.o.network.collectOrphans();
    for (const cluster of await this.o.clusters.terminating()) {
      await this.o.triggers.trigger(QUEUE.node(this.o.nodeName), {
        clusterId: cluster.id,
        namespace: "",
        name: "",
      });
    }
  }

  /** Converges one pod (by name): its current incarnation runs, older incarnations are removed. */
  async syncPod(ref: ObjectRef): Promise<Result> {
    const key = podKey(ref);
    const [stored, held] = await Promise.all([
      this.o.store.get(key) as Promise<Pod | undefined>,
      this.o.runtime.listPods({
        [LABEL.cluster]: ref.clusterId,
        [LABEL.namespace]: ref.namespace,
        [LABEL.pod]: ref.name,
      }),
    ]);
    const pod = stored?.spec.nodeName === this.o.nodeName ? stored : undefined;
    for (const [uid, stale] of held) {
      if (uid === pod?.metadata.uid) continue;
      this.forget(uid);
      await this.apply(undefined, stale, planPodSync(undefined, stale, new Set(), this.now()).actions);
    }
    if (!pod) return {};
    this.clusters.set(pod.metadata.uid ?? "", ref.clusterId);
    const identity: PodIdentity = {
      clusterId: ref.clusterId,
      namespace: ref.namespace,
      name: ref.name,
      uid: pod.metadata.uid ?? "",
    };
    const observed = held.get(identity.uid);
    const missing = await this.missingImages(pod);
    const eviction = this.evictions.get(identity.uid);
    if (eviction !== undefined) {
      this.evictions.delete(identity.uid);
      const phase = pod.status?.phase;
      if (!pod.metadata.deletionTimestamp && phase !== "Succeeded" && phase !== "Failed")
        return this.evict(key, pod, identity, observed, missing, eviction);
    }
    const plan = planPodSync(pod, observed, missing, this.now());
    let volumes: PreparedVolumes | undefined;
    if (plan.actions.some((a) => a.kind === "runSandbox" || a.kind === "runContainer")) {
      const prepared = await this.volumes.prepare(pod, identity.clusterId);
      if ("message" in prepared) {
        await this.event(
          identity.clusterId,
          pod,
          "Warning",
          "FailedMount",
          `MountVolume.SetUp failed for volume "${prepared.volume}" : ${prepared.message}`,
        );
        plan.actions = plan.actions.filter((a) => a.kind !== "runSandbox" && a.kind !== "runContainer");
        plan.requeueAfterMs = Math.min(plan.requeueAfterMs ?? VOLUME_RETRY_MS, VOLUME_RETRY_MS);
      } else volumes = prepared;
    }
    if (plan.actions.length > 0) await this.apply(pod, observed, plan.actions, identity, volumes);
    if (plan.actions.some((a) => a.kind === "deletePod")) {
      this.forget(identity.uid);
      return {};
    }
    const after =
      plan.actions.length > 0
        ? (
            await this.o.runtime.listPods({
              [LABEL.cluster]: identity.clusterId,
              [LABEL.podUid]: identity.uid,
            })
          ).get(identity.uid)
        : observed;
    const sandbox = latest(after?.sandboxes ?? []);
    this.prober.sync(pod, after?.containers ?? [], sandbox?.state === "running" ? sandbox.ip : undefined);
    const configErrors = this.configErrors.get(identity.uid);
    await this.writeStatus(key, identity.uid, after, missing, configErrors?.size ? { configErrors } : {});
    return plan.requeueAfterMs === undefined ? {} : { requeueAfterMs: plan.requeueAfterMs };
  }

  private forget(uid: string): void {
    this.prober.forget(uid);
    this.clusters.delete(uid);
    this.configErrors.delete(uid);
    this.evictions.delete(uid);
  }

  /**
   * The kubelet's eviction of a pod whose emptyDir outgrew its sizeLimit: a Warning event, its containers
   * killed, and the pod Failed with reason Evicted and the kubelet's message (its containers terminated,
   * never restarted).
   */
  private async evict(
    key: ObjectKey,
    pod: Pod,
    identity: PodIdentity,
    observed: ObservedPod | undefined,
    missing: Set<string>,
    message: string,
  ): Promise<Result> {
    await this.event(identity.clusterId, pod, "Warning", EVICTED, message);
    // Failed first: a sync of the pod under way meanwhile then restarts nothing it sees killed
    await this.writeStatus(key, identity.uid, observed, missing, { evicted: message });
    await this.apply(pod, observed, planEviction(observed), identity);
    this.prober.forget(identity.uid);
    const after = (
      await this.o.runtime.listPods({ [LABEL.cluster]: identity.clusterId, [LABEL.podUid]: identity.uid })
    ).get(identity.uid);
    await this.writeStatus(key, identity.uid, after, missing, { evicted: message });
    return {};
  }

  /**
   * Measures the pods' emptyDirs that have a sizeLimit, every metrics period, and has each pod over one
   * evicted by its next sync. The measure is a `du` in the pod's sandbox (eviction.ts), one exec per such
   * pod: about 7 ms of the engine's CPU and 90 ms of wall time here, walking that pod's files only. Docker's
   * own accounting (GET /system/df; API 1.41 cannot narrow it to volumes) walks every layer and volume of
   * the engine, every cluster's, for each call — 230 ms of the engine's CPU with 20 small pods — and sums
   * apparent sizes, where the kubelet counts blocks.
   */
  private async measureEmptyDirs(): Promise<void> {
    if (this.measuring) return;
    this.measuring = true;
    try {
      const bound = await this.o.store.podsOnNode(this.o.nodeName);
      for (const { clusterId, pod } of bound as { clusterId: string; pod: Pod }[]) {
        const phase = pod.status?.phase;
        if (pod.metadata.deletionTimestamp || phase === "Succeeded" || phase === "Failed") continue;
        if (this.evictions.has(pod.metadata.uid ?? "")) continue;
        const dirs = limitedEmptyDirs(pod, clusterId);
        if (dirs.length === 0) continue;
        // one pod's sandbox gone mid-measure must not keep the others from being measured
        await this.measurePod(clusterId, pod, dirs).catch((e: Error) =>
          this.o.logger.warn("emptyDir measurement failed", { pod: pod.metadata.name, error: e.message }),
        );
      }
    } finally {
      this.measuring = false;
    }
  }

  private async measurePod(clusterId: string, pod: Pod, dirs: LimitedEmptyDir[]): Promise<void> {
    const uid = pod.metadata.uid ?? "";
    const held = await this.o.runtime.listPods({ [LABEL.cluster]: clusterId, [LABEL.podUid]: uid });
    const sandbox = latest(held.get(uid)?.sandboxes ?? []);
    if (sandbox?.state !== "running") return;
    const session = await this.o.runtime.exec(sandbox.id, {
      command: usageCommand(dirs),
      stdin: false,
      tty: false,
    });
    let output = "";
    session.stdout.on("data", (chunk: Buffer) => {
      output += chunk;
    });
    session.stderr.resume();
    // du exits 1 when a path is gone (a sandbox from before it held emptyDirs): the others still count
    await session.exitCode();
    const message = emptyDirEviction(dirs, parseUsage(output));
    if (!message) return;
    this.evictions.set(uid, message);
    await this.o.triggers.syncPod(this.o.nodeName, {
      clusterId,
      namespace: pod.metadata.namespace ?? "",
      name: pod.metadata.name ?? "",
    });
  }

  private async missingImages(pod: Pod): Promise<Set<string>> {
    const images = [...new Set(allContainers(pod).map((c) => c.image ?? ""))];
    const present = await Promise.all(images.map((i) => this.o.runtime.hasImage(i)));
    return new Set(images.filter((_, i) => !present[i]));
  }

  /**
   * Applies a plan: stops in parallel, removals in order, then the sandbox and the containers — created
   * while the sandbox starts, and started together once it runs, which saves a round trip per pod start.
   */
  private async apply(
    pod: Pod | undefined,
    observed: ObservedPod | undefined,
    actions: Action[],
    identity?: PodIdentity,
    volumes?: PreparedVolumes,
  ): Promise<void> {
    const { runtime } = this.o;
    const stops = actions.filter((a) => a.kind === "stop");
    if (pod && identity) {
      for (const stop of stops) {
        const name = observed?.containers.find((c) => c.id === stop.id)?.name;
        if (name)
          await this.event(identity.clusterId, pod, "Normal", "Killing", `Stopping container ${name}`);
      }
    }
    await Promise.all(stops.map((a) => this.stopWithHook(pod, identity, observed, a.id, a.graceSeconds)));
    for (const action of actions) if (action.kind === "remove") await runtime.removeContainer(action.id);

    const runs = actions.filter((a) => a.kind === "runContainer");
    const newSandbox = actions.find((a) => a.kind === "runSandbox");
    if (pod && identity && volumes && (runs.length > 0 || newSandbox)) {
      const all = allContainers(pod);
      await this.volumes.ensure(
        volumes,
        identity,
        all.filter((c) => runs.some((r) => r.name === c.name)),
      );
      const current = latest(observed?.sandboxes ?? []);
      let sandboxId = current?.state === "running" ? current.id : undefined;
      let sandboxStarted: Promise<void> = Promise.resolve();
      let populated: Promise<void> = Promise.resolve();
      if (newSandbox) {
        const network = await this.o.networks.of(identity.clusterId);
        const networkId = await this.o.network.ensureCluster(identity.clusterId);
        const subdomain = pod.spec.subdomain as string | undefined;
        const dns = podDns(pod, network.dnsIp);
        sandboxId = await runtime.createSandbox({
          pod: identity,
          networkId,
          hostname: (pod.spec.hostname as string | undefined) ?? identity.name,
          ...(subdomain ? { domainname: `${subdomain}.${identity.namespace}.svc.${CLUSTER_DOMAIN}` } : {}),
          ...(dns ? { dns } : {}),
          mounts: this.volumes.sandboxMounts(volumes),
          attempt: newSandbox.attempt,
        });
        sandboxStarted = runtime.startContainer(sandboxId);
        populated = this.volumes.populate(sandboxId, volumes);
        populated.catch(() => undefined);
        // awaited below, after the containers are created; a failure must not go unhandled meanwhile
        sandboxStarted.catch(() => undefined);
      }
      const sandbox = sandboxId;
      if (sandbox) {
        const envSources = this.envSources(identity.clusterId, pod);
        const created = await Promise.all(
          runs.map(async (run) => {
            const container = all.find((c) => c.name === run.name);
            if (!container) return undefined;
            const security = containerSecurity(
              pod,
              container,
              await runtime.imageUser(container.image ?? ""),
            );
            if ("error" in security) {
              await this.configError(identity, pod, run.name, security.error);
              return undefined;
            }
            this.configErrors.get(identity.uid)?.delete(run.name);
            const mounts = this.volumes.forContainer(volumes, container);
            const spec = await containerSpec(
              identity,
              container,
              sandbox,
              run.attempt,
              await envSources,
              this.o.containerDefaults,
            );
            // an ephemeral container may join another container's processes (kubectl debug --target)
            const target = (container as EphemeralContainer).targetContainerName;
            const pidOf = target ? latest(instancesOf(observed, target))?.id : undefined;
            const id = await runtime.createContainer({
              ...spec,
              security: security.security,
              mounts: mounts.mounts,
              ...(pidOf ? { pidContainerId: pidOf } : {}),
            });
            await mounts.copy(id);
            return id;
          }),
        );
        await Promise.all([sandboxStarted, populated]);
        await Promise.all(created.map((id) => (id ? runtime.startContainer(id) : undefined)));
        runs.forEach((run, i) => {
          const id = created[i];
          if (id)
            void this.postStart(pod, identity, run.name, id).catch((e: Error) =>
              this.o.logger.warn("postStart hook failed", { pod: identity.name, error: e.message }),
            );
        });
        // the kubelet's events are told after the fact: they must not delay the pod's status
        void Promise.all(
          runs.map(async (run, i) => {
            const image = all.find((c) => c.name === run.name)?.image ?? "";
            await this.event(
              identity.clusterId,
              pod,
              "Normal",
              "Pulled",
              `Container image "${image}" already present on machine`,
            );
            if (!created[i]) return;
            await this.event(identity.clusterId, pod, "Normal", "Created", `Created container ${run.name}`);
            await this.event(identity.clusterId, pod, "Normal", "Started", `Started container ${run.name}`);
          }),
        );
      }
    }
    const gone = identity?.uid ?? observed?.pod.uid;
    // a pod torn down (deleted, or an incarnation whose object is gone) takes its volumes with it
    if (gone && (!pod || actions.some((a) => a.kind === "deletePod")))
      await runtime.removeVolumes({ podUid: gone });
    if (pod && identity && actions.some((a) => a.kind === "deletePod")) {
      await this.o.store
        .delete(
          podKey({ clusterId: identity.clusterId, namespace: identity.namespace, name: identity.name }),
          {
            uid: identity.uid,
          },
        )
        .catch(() => {});
    }
  }

  /** preStop first (within the grace period), then SIGTERM and, after what is left of it, SIGKILL. */
  private async stopWithHook(
    pod: Pod | undefined,
    identity: PodIdentity | undefined,
    observed: ObservedPod | undefined,
    containerId: string,
    graceSeconds: number,
  ): Promise<void> {
    const name = observed?.containers.find((c) => c.id === containerId)?.name;
    const container = pod?.spec.containers.find((c) => c.name === name);
    const hook = hookOf(container, "preStop");
    const started = Date.now();
    if (pod && identity && container && hook) {
      const ip = latest(observed?.sandboxes ?? [])?.ip;
      const failure = await runHook(this.o.runtime, container, containerId, hook, ip, graceSeconds * 1000);
      if (failure)
        await this.event(
          identity.clusterId,
          pod,
          "Warning",
          "FailedPreStopHook",
          `PreStopHook failed: ${failure}`,
        );
    }
    const left = Math.max(0, graceSeconds - (Date.now() - started) / 1000);
    await this.o.runtime.stopContainer(containerId, left);
  }

  /** postStart, right after the container starts; a failure kills it, and its restart policy decides. */
  private async postStart(pod: Pod, identity: PodIdentity, name: string, containerId: string): Promise<void> {
    const container = pod.spec.containers.find((c) => c.name === name);
    const hook = hookOf(container, "postStart");
    if (!container || !hook) return;
    const pods = await this.o.runtime.listPods({
      [LABEL.cluster]: identity.clusterId,
      [LABEL.podUid]: identity.uid,
    });
    const ip = latest(pods.get(identity.uid)?.sandboxes ?? [])?.ip;
    const failure = await runHook(this.o.runtime, container, containerId, hook, ip, 30_000);
    if (!failure) return;
    await this.event(
      identity.clusterId,
      pod,
      "Warning",
      "FailedPostStartHook",
      `PostStartHook failed: ${failure}`,
    );
    await this.o.runtime.stopContainer(containerId, pod.spec.terminationGracePeriodSeconds ?? 30);
    await this.o.triggers.syncPod(this.o.nodeName, {
      clusterId: identity.clusterId,
      namespace: identity.namespace,
      name: identity.name,
    });
  }

  /** Where the pod's containers take their environment from: Services, ConfigMaps, Secrets, the pod. */
  private async envSources(clusterId: string, pod: Pod): Promise<EnvSources> {
    const namespace = pod.metadata.namespace ?? "";
    const { items } = await this.o.store.list({ clusterId, group: "", resource: "services" });
    const data = async (resource: "configmaps" | "secrets", name: string) => {
      const obj = (await this.o.store.get({ clusterId, group: "", resource, namespace, name })) as
        | (KubeObject & { data?: Record<string, string> })
        | undefined;
      if (!obj) return undefined;
      const entries = Object.entries(obj.data ?? {});
      return Object.fromEntries(
        resource === "secrets" ? entries.map(([k, v]) => [k, Buffer.from(v, "base64").toString()]) : entries,
      );
    };
    return {
      services: serviceEnvironment(items as Service[], namespace, pod.spec.enableServiceLinks !== false),
      value: async (ref) => {
        const from = ref as {
          fieldRef?: { fieldPath: string };
          configMapKeyRef?: { name: string; key: string };
          secretKeyRef?: { name: string; key: string };
        };
        if (from.fieldRef) return fieldValue(pod, from.fieldRef.fieldPath);
        if (from.configMapKeyRef)
          return (await data("configmaps", from.configMapKeyRef.name))?.[from.configMapKeyRef.key];
        if (from.secretKeyRef)
          return (await data("secrets", from.secretKeyRef.name))?.[from.secretKeyRef.key];
        return undefined;
      },
      source: (from) =>
        from.configMapRef
          ? data("configmaps", from.configMapRef.name)
          : from.secretRef
            ? data("secrets", from.secretRef.name)
            : Promise.resolve(undefined),
    };
  }

  private async writeStatus(
    key: ObjectKey,
    uid: string,
    observed: ObservedPod | undefined,
    missing: Set<string>,
    problems: PodProblems = {},
  ): Promise<void> {
    const now = this.now();
    let before: PodStatus | undefined;
    const written = await this.o.store.mutate(key, (current) => {
      const pod = current as Pod;
      if (pod.metadata.uid !== uid || pod.metadata.deletionTimestamp) return undefined;
      const next = podStatus(pod, observed, missing, this.o.nodeAddress, now, this.prober, problems);
      const comparable = (s: unknown) =>
        JSON.stringify(s, (k, v) => (k === "lastTransitionTime" || k === "startTime" ? undefined : v));
      if (isDeepStrictEqual(comparable(pod.status), comparable(next))) return undefined;
      before = pod.status;
      pod.status = next;
      return pod;
    });
    if (!written) return;
    const pod = written as Pod;
    if (pod.status?.phase === "Running" && before?.phase !== "Running" && pod.metadata.creationTimestamp)
      METRICS.podStartup.record((now.getTime() - Date.parse(pod.metadata.creationTimestamp)) / 1000, {
        "k8s.node.name": this.o.nodeName,
      });
    if (before) await this.waitingEvents(key.clusterId, pod, before);
  }

  /** The kubelet's warnings when a container starts waiting for a bad reason. */
  private async waitingEvents(clusterId: string, pod: Pod, before: PodStatus): Promise<void> {
    for (const s of pod.status?.containerStatuses ?? []) {
      const reason = s.state.waiting?.reason;
      const was = before.containerStatuses?.find((b) => b.name === s.name)?.state.waiting?.reason;
      if (!reason || reason === was) continue;
      if (reason === "CrashLoopBackOff") {
        await this.event(
          clusterId,
          pod,
          "Warning",
          "BackOff",
          `Back-off restarting failed container ${s.name} in pod ${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`,
        );
      } else if (reason === "ErrImageNeverPull") {
        await this.event(clusterId, pod, "Warning", "ErrImageNeverPull", s.state.waiting?.message ?? reason);
      }
    }
  }

  /** A container the kubelet would not create (runAsNonRoot refused): its status says why, and an event. */
  private async configError(identity: PodIdentity, pod: Pod, container: string, message: string) {
    let errors = this.configErrors.get(identity.uid);
    if (!errors) {
      errors = new Map();
      this.configErrors.set(identity.uid, errors);
    }
    errors.set(container, message);
    await this.event(identity.clusterId, pod, "Warning", "Failed", `Error: ${message}`);
  }

  private event(clusterId: string, pod: Pod, type: "Normal" | "Warning", reason: string, message: string) {
    return this.recorder.record(clusterId, pod, type, reason, message);
  }

  /** Removes every container and the network of a cluster being torn down, then says so. */
  syncGateway(): Promise<Result> {
    return this.o.network.syncGateway();
  }

  /** Whether the node runs pods of the cluster decides whether it keeps a netd for it. */
  syncNetwork(clusterId: string): Promise<Result> {
    return this.o.network.syncCluster(clusterId, [...this.clusters.values()].includes(clusterId));
  }

  async sweepCluster(clusterId: string): Promise<Result> {
    const held = await this.o.runtime.listPods({ [LABEL.cluster]: clusterId });
    await Promise.all(
      [...held.values()].flatMap((o) =>
        [...o.containers, ...o.sandboxes].map((c) => this.o.runtime.removeContainer(c.id)),
      ),
    );
    await this.o.network.removeCluster(clusterId);
    await this.o.runtime.removeNetwork(clusterId);
    await this.o.runtime.removeVolumes({ clusterId });
    const cluster = await this.o.clusters.get(clusterId);
    if (cluster) await this.o.clusters.recordTeardown(clusterId, this.o.nodeName);
    return {};
  }

  private async resync(pod: Pod): Promise<void> {
    const ref = {
      clusterId: this.clusterOf(pod),
      namespace: pod.metadata.namespace ?? "",
      name: pod.metadata.name ?? "",
    };
    if (ref.clusterId) await this.o.triggers.syncPod(this.o.nodeName, ref).catch(() => undefined);
  }

  /** A failed liveness (or startup) probe: stop the container; the next sync restarts it per policy. */
  private async restartUnhealthy(pod: Pod, container: string, containerId: string): Promise<void> {
    const clusterId = this.clusterOf(pod);
    await this.event(
      clusterId,
      pod,
      "Warning",
      "Unhealthy",
      `Liveness probe failed for container ${container}`,
    );
    await this.event(
      clusterId,
      pod,
      "Normal",
      "Killing",
      `Container ${container} failed liveness probe, will be restarted`,
    );
    await this.o.runtime
      .stopContainer(containerId, pod.spec.terminationGracePeriodSeconds ?? 30)
      .catch(() => undefined);
    await this.resync(pod);
  }

  /** Probe callbacks only get the pod; its cluster is remembered from the last sync. */
  private clusterOf(pod: Pod): string {
    return this.clusters.get(pod.metadata.uid ?? "") ?? "";
  }

  async stop(): Promise<void> {
    this.prober.stop();
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    (this.events as unknown as { destroy?: () => void } | undefined)?.destroy?.();
    await Promise.all(this.workers.map((w) => w.close()));
    await this.server?.close();
  }
}
