import { allContainers } from "../../core/k8s/pods";
import type { Container, EphemeralContainer, Pod } from "../../core/k8s/types";
import { ContainerHooks } from "./container-hooks";
import { containerSpec, type EnvSources } from "./container-spec";
import { envSources } from "./env-sources";
import type { NodeDeps } from "./node-context";
import { type Action, instancesOf, latest } from "./plan";
import { CLUSTER_DOMAIN, podDns } from "./pod-dns";
import type { PodStatusWriter } from "./pod-status";
import type { PodVolumes, PreparedVolumes } from "./pod-volumes";
import type { ObservedPod, PodIdentity } from "./runtime";
import { containerSecurity } from "./security";

type RunSandbox = Extract<Action, { kind: "runSandbox" }>;
type RunContainer = Extract<Action, { kind: "runContainer" }>;

/** The pod as it is known here (the stored object, its identity and volumes), or only its containers. */
export interface ApplyTarget {
  pod?: Pod;
  identity?: PodIdentity;
  volumes?: PreparedVolumes;
  observed: ObservedPod | undefined;
}

/**
 * Carries out a pod's plan (plan.ts) on the runtime: stops in parallel, removals in order, then the
 * sandbox and the containers — created while the sandbox starts, and started together once it runs,
 * which saves a round trip per pod start — and last, a torn-down pod's volumes and object.
 */
export class PodApply {
  private readonly hooks: ContainerHooks;

  constructor(
    private readonly d: NodeDeps,
    private readonly volumes: PodVolumes,
    private readonly status: PodStatusWriter,
  ) {
    this.hooks = new ContainerHooks(d);
  }

  async apply(target: ApplyTarget, actions: Action[]): Promise<void> {
    const { pod, identity, observed, volumes } = target;
    const deleted = actions.some((a) => a.kind === "deletePod");
    await this.stop(target, actions);
    for (const action of actions)
      if (action.kind === "remove") await this.d.runtime.removeContainer(action.id);
    const runs = actions.filter((a) => a.kind === "runContainer");
    const newSandbox = actions.find((a) => a.kind === "runSandbox");
    if (pod && identity && volumes && (runs.length > 0 || newSandbox))
      await this.start(pod, identity, observed, volumes, runs, newSandbox);
    await this.tearDown(target, deleted);
  }

  /** Stops the plan's containers in parallel, each after its preStop hook; a Killing event for each. */
  private async stop({ pod, identity, observed }: ApplyTarget, actions: Action[]): Promise<void> {
    const stops = actions.filter((a) => a.kind === "stop");
    if (pod && identity) {
      for (const stop of stops) {
        const name = observed?.containers.find((c) => c.id === stop.id)?.name;
        if (name)
          await this.d.events.record(
            identity.clusterId,
            pod,
            "Normal",
            "Killing",
            `Stopping container ${name}`,
          );
      }
    }
    await Promise.all(stops.map((a) => this.hooks.stop(pod, identity, observed, a.id, a.graceSeconds)));
  }

  private async start(
    pod: Pod,
    identity: PodIdentity,
    observed: ObservedPod | undefined,
    volumes: PreparedVolumes,
    runs: RunContainer[],
    newSandbox: RunSandbox | undefined,
  ): Promise<void> {
    const all = allContainers(pod);
    await this.volumes.ensure(
      volumes,
      identity,
      all.filter((c) => runs.some((r) => r.name === c.name)),
    );
    const current = latest(observed?.sandboxes ?? []);
    const sandbox = newSandbox
      ? await this.runSandbox(pod, identity, volumes, newSandbox)
      : { id: current?.state === "running" ? current.id : undefined, ready: () => Promise.resolve() };
    const sandboxId = sandbox.id;
    if (!sandboxId) return;
    const sources = envSources(this.d.store, identity.clusterId, pod);
    const created = await Promise.all(
      runs.map(async (run) => {
        const container = all.find((c) => c.name === run.name);
        if (!container) return undefined;
        return this.createContainer(pod, identity, observed, volumes, container, run, sandboxId, sources);
      }),
    );
    await sandbox.ready();
    await Promise.all(created.map((id) => (id ? this.d.runtime.startContainer(id) : undefined)));
    runs.forEach((run, i) => {
      const id = created[i];
      if (id)
        void this.hooks
          .postStart(pod, identity, run.name, id)
          .catch((e: Error) =>
            this.d.logger.warn("postStart hook failed", { pod: identity.name, error: e.message }),
          );
    });
    // the kubelet's events are told after the fact: they must not delay the pod's status
    void Promise.all(
      runs.map(async (run, i) => {
        const image = all.find((c) => c.name === run.name)?.image ?? "";
        const event = (reason: string, message: string) =>
          this.d.events.record(identity.clusterId, pod, "Normal", reason, message);
        await event("Pulled", `Container image "${image}" already present on machine`);
        if (!created[i]) return;
        await event("Created", `Created container ${run.name}`);
        await event("Started", `Started container ${run.name}`);
      }),
    );
  }

  /** Creates the pod's sandbox on its cluster network and starts it; `ready` waits until it runs, its volumes written. */
  private async runSandbox(
    pod: Pod,
    identity: PodIdentity,
    volumes: PreparedVolumes,
    action: RunSandbox,
  ): Promise<{ id: string; ready(): Promise<unknown> }> {
    const { runtime } = this.d;
    const network = await this.d.networks.of(identity.clusterId);
    const networkId = await this.d.network.ensureCluster(identity.clusterId);
    const subdomain = pod.spec.subdomain as string | undefined;
    const dns = podDns(pod, network.dnsIp);
    const id = await runtime.createSandbox({
      pod: identity,
      networkId,
      hostname: (pod.spec.hostname as string | undefined) ?? identity.name,
      ...(subdomain ? { domainname: `${subdomain}.${identity.namespace}.svc.${CLUSTER_DOMAIN}` } : {}),
      ...(dns ? { dns } : {}),
      mounts: this.volumes.sandboxMounts(volumes),
      attempt: action.attempt,
      // a pod whose sandbox is made again (its cluster woke, say) keeps its address where it is free
      ...(pod.status?.podIP ? { ip: pod.status.podIP } : {}),
    });
    const started = runtime.startContainer(id);
    const populated = this.volumes.populate(id, volumes);
    // awaited once the containers are created; a failure must not go unhandled meanwhile
    started.catch(() => undefined);
    populated.catch(() => undefined);
    return { id, ready: () => Promise.all([started, populated]) };
  }

  /** Creates one container in the sandbox; undefined when its security context refuses it (a config error). */
  private async createContainer(
    pod: Pod,
    identity: PodIdentity,
    observed: ObservedPod | undefined,
    volumes: PreparedVolumes,
    container: Container,
    run: RunContainer,
    sandboxId: string,
    sources: Promise<EnvSources>,
  ): Promise<string | undefined> {
    const { runtime } = this.d;
    const security = containerSecurity(pod, container, await runtime.imageUser(container.image ?? ""));
    if ("error" in security) {
      await this.status.configError(identity, pod, run.name, security.error);
      return undefined;
    }
    this.d.pods.clearConfigError(identity.uid, run.name);
    const mounts = this.volumes.forContainer(volumes, container);
    const spec = await containerSpec(
      identity,
      container,
      sandboxId,
      run.attempt,
      await sources,
      this.d.settings.containerDefaults,
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
  }

  /** A pod torn down (deleted, or an incarnation whose object is gone) takes its volumes with it. */
  private async tearDown({ pod, identity, observed }: ApplyTarget, deleted: boolean): Promise<void> {
    const gone = identity?.uid ?? observed?.pod.uid;
    if (gone && (!pod || deleted)) await this.d.runtime.removeVolumes({ podUid: gone });
    if (pod && identity && deleted) {
      const key = {
        clusterId: identity.clusterId,
        group: "",
        resource: "pods",
        namespace: identity.namespace,
        name: identity.name,
      };
      await this.d.store.delete(key, { uid: identity.uid }).catch(() => {});
    }
  }
}
