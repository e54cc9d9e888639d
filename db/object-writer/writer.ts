import { KubeError, kubeErrors } from "../../core/k8s/errors";
import { RESOURCE_TYPES, type ResourceType } from "../../core/k8s/resources";
import type { KubeObject } from "../../core/k8s/types";
import type { ObjectKey } from "../../core/objects";
import { checkPreconditions, type ObjectStore } from "../store";
import { type DeleteOptions, type DeleteOutcome, deleteAsKind } from "./deletion";
import {
  namespaceTerminating,
  type PrepareContext,
  prepareCreate,
  prepareUpdate,
  refusePlatformOwned,
  type Subresource,
} from "./prepare";

export interface WriteOptions {
  /** Who writes, for managedFields: `kubectl`, `helm`, `kube-controller-manager`… */
  manager: string;
  /** Server-side apply: the object carries the managedFields its apply worked out. */
  applied?: boolean;
  /** `dryRun=All`: everything is checked and the object returned as it would be stored; nothing is written. */
  dryRun?: boolean;
  subresource?: Subresource;
}

/** The served type of what is stored under a key's group and resource (its first version). */
export function storedType(key: Pick<ObjectKey, "group" | "resource">): ResourceType {
  const type = RESOURCE_TYPES.find((t) => !t.virtual && t.group === key.group && t.resource === key.resource);
  if (!type) throw kubeErrors.notFound(key.resource, key.group, "");
  return type;
}

/** How often a read-modify-write is tried again after a concurrent write got there first. */
const CONFLICT_RETRIES = 4;

const isConflict = (err: unknown) => err instanceof KubeError && err.status.reason === "Conflict";

/**
 * The one way objects are written the Kubernetes way, whoever writes them (the Kubernetes API's handlers,
 * the releases API, the controllers): through the kind's strategy (defaults, validation, what may change),
 * with managedFields for the writer, no new content in a terminating namespace, no write to what the
 * platform owns. Failures are `KubeError`s as kube-apiserver words them. Over the ObjectStore, which keeps
 * the transactions, the resourceVersions and the admission hooks.
 */
export class ObjectWriter {
  private readonly store: ObjectStore;
  private readonly now: () => Date;

  constructor(o: { store: ObjectStore; now?: () => Date }) {
    this.store = o.store;
    this.now = o.now ?? (() => new Date());
  }

  /** Creates the object; 409 AlreadyExists when the name is taken, 403 in a namespace being deleted. */
  async create(
    type: ResourceType,
    key: ObjectKey,
    obj: KubeObject,
    options: WriteOptions,
  ): Promise<KubeObject> {
    refusePlatformOwned(key);
    const prepared = prepareCreate(type, obj, this.context(options));
    await this.ensureNamespaceAcceptsWrites(key.clusterId, key.namespace);
    if (options.dryRun) return prepared;
    return this.store.create(key, prepared);
  }

  /**
   * Replaces the object (PUT): a `resourceVersion` in `obj` must match the stored one (409 Conflict), none
   * replaces whatever is stored. 404 when there is nothing to replace.
   */
  async update(
    type: ResourceType,
    key: ObjectKey,
    obj: KubeObject,
    options: WriteOptions,
  ): Promise<KubeObject> {
    refusePlatformOwned(key);
    const current = await this.store.get(key);
    if (!current) throw kubeErrors.notFound(type.resource, type.group, key.name);
    const next = prepareUpdate(type, obj, current, this.context(options));
    if (options.dryRun) return next;
    return this.store.update(key, next);
  }

  /**
   * Read, change, write, as kube-apiserver's GuaranteedUpdate: `change` gets a copy of the stored object
   * and returns the object wanted (`undefined`: leave it as it is). When a concurrent write got there first
   * the change is made again on the fresh object, unless it pinned a resourceVersion of its own. Returns the
   * object as stored, or `undefined` when there is none.
   */
  async mutate(
    type: ResourceType,
    key: ObjectKey,
    change: (current: KubeObject) => KubeObject | undefined,
    options: WriteOptions,
  ): Promise<KubeObject | undefined> {
    refusePlatformOwned(key);
    for (let attempt = 0; ; attempt++) {
      const current = await this.store.get(key);
      if (!current) return undefined;
      const changed = change(structuredClone(current));
      if (!changed) return current;
      const version = changed.metadata.resourceVersion;
      const pinned = version !== undefined && version !== current.metadata.resourceVersion;
      changed.metadata.resourceVersion = version ?? current.metadata.resourceVersion;
      const next = prepareUpdate(type, changed, current, this.context(options));
      if (options.dryRun) return next;
      try {
        return await this.store.update(key, next);
      } catch (err) {
        // deleted since it was read: as if it had not been there
        if (err instanceof KubeError && err.code === 404) return undefined;
        if (!isConflict(err) || pinned || attempt >= CONFLICT_RETRIES) throw err;
      }
    }
  }

  /**
   * Deletes the object as its kind is deleted (see deletion.ts); `current` is the object as the caller read
   * it, else it is read here (404 when absent). Preconditions are checked against it.
   */
  async delete(
    type: ResourceType,
    key: ObjectKey,
    options: DeleteOptions & { dryRun?: boolean },
    current?: KubeObject,
  ): Promise<DeleteOutcome> {
    refusePlatformOwned(key);
    const found = current ?? (await this.store.get(key));
    if (!found) throw kubeErrors.notFound(type.resource, type.group, key.name);
    checkPreconditions(key, found, options.preconditions);
    if (options.dryRun) return { kind: "dry-run", object: found };
    return deleteAsKind({ store: this.store, now: this.now }, type, key, found, options);
  }

  private context(options: WriteOptions): PrepareContext {
    return {
      now: this.now(),
      manager: options.manager,
      ...(options.applied ? { applied: true } : {}),
      ...(options.subresource ? { subresource: options.subresource } : {}),
    };
  }

  /** kube-apiserver's NamespaceLifecycle: no new object in a namespace that is missing or being deleted. */
  private async ensureNamespaceAcceptsWrites(clusterId: string, namespace: string): Promise<void> {
    if (!namespace) return;
    const ns = await this.store.get({
      clusterId,
      group: "",
      resource: "namespaces",
      namespace: "",
      name: namespace,
    });
    if (!ns) throw kubeErrors.notFound("namespaces", "", namespace);
    if (ns.metadata.deletionTimestamp) throw namespaceTerminating(namespace);
  }
}
