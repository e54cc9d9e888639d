import { isDeepStrictEqual } from "node:util";
import { KubeError } from "../../core/k8s/errors";
import type { EndpointSlice, Service } from "../../core/k8s/services/types";
import type { KubeObject, Pod } from "../../core/k8s/types";
import type { ObjectKey, ObjectRef } from "../../core/objects";
import { isNamespaceTerminating } from "../../db/object-writer/prepare";
import type { ObjectStore } from "../../db/store";
import { type Controller, everyObject, itsNamespace } from "../controller";
import type { Result } from "../shell";
import {
  desiredEndpoints,
  desiredSlices,
  managesEndpoints,
  SERVICE_NAME_LABEL,
  SLICE_MANAGER,
  SLICE_MANAGER_LABEL,
} from "./endpoints-plan";
import { controllerWrites } from "./writes";

/**
 * Keeps each selector Service's Endpoints and EndpointSlices equal to its ready pods. A ref names one
 * Service, or every Service of a namespace (`name` empty: a pod changed there).
 */
export class EndpointsController {
  constructor(private readonly store: ObjectStore) {}

  async reconcile(ref: ObjectRef): Promise<Result> {
    const scope = { clusterId: ref.clusterId, namespace: ref.namespace };
    const [services, pods, slices] = await Promise.all([
      this.list(scope, "", "services"),
      this.list(scope, "", "pods"),
      this.list(scope, "discovery.k8s.io", "endpointslices"),
    ]);
    const targets = ref.name ? services.filter((s) => s.metadata.name === ref.name) : services;
    for (const svc of targets as Service[]) {
      if (!managesEndpoints(svc)) continue;
      await this.sync(ref, svc, pods as Pod[], slices as EndpointSlice[]);
    }
    if (ref.name && targets.length === 0) await this.forget(ref, slices as EndpointSlice[]);
    return {};
  }

  private async sync(ref: ObjectRef, svc: Service, pods: Pod[], slices: EndpointSlice[]): Promise<void> {
    const name = svc.metadata.name as string;
    await this.put(this.key(ref, "", "endpoints", name), desiredEndpoints(svc, pods), ["subsets"]);
    const wanted = desiredSlices(svc, pods);
    for (const slice of wanted)
      await this.put(
        this.key(ref, "discovery.k8s.io", "endpointslices", slice.metadata.name as string),
        slice,
        ["endpoints", "ports"],
      );
    for (const stale of slices.filter(
      (s) => isManagedSliceOf(s, name) && !wanted.some((w) => w.metadata.name === s.metadata.name),
    ))
      await this.remove(this.key(ref, "discovery.k8s.io", "endpointslices", stale.metadata.name as string));
  }

  /** A deleted Service: its Endpoints go (as in kube), and its slices, which the collector would also remove. */
  private async forget(ref: ObjectRef, slices: EndpointSlice[]): Promise<void> {
    await this.remove(this.key(ref, "", "endpoints", ref.name));
    for (const s of slices.filter((x) => isManagedSliceOf(x, ref.name)))
      await this.remove(this.key(ref, "discovery.k8s.io", "endpointslices", s.metadata.name as string));
  }

  /** Creates the object, or rewrites it when the `fields` (or its labels) differ. */
  private async put(key: ObjectKey, desired: KubeObject, fields: string[]): Promise<void> {
    const current = await this.store.get(key);
    if (!current) {
      try {
        await controllerWrites(this.store).create(key, desired);
      } catch (err) {
        if (!(err instanceof KubeError && err.code === 409) && !isNamespaceTerminating(err)) throw err;
      }
      return;
    }
    const same =
      fields.every((f) => isDeepStrictEqual(current[f], desired[f])) &&
      isDeepStrictEqual(current.metadata.labels ?? {}, desired.metadata.labels ?? {});
    if (same) return;
    await controllerWrites(this.store).mutate(key, (obj) => {
      for (const f of fields) {
        if (desired[f] === undefined) delete obj[f];
        else obj[f] = desired[f];
      }
      obj.metadata.labels = desired.metadata.labels;
      return obj;
    });
  }

  private async remove(key: ObjectKey): Promise<void> {
    try {
      await this.store.delete(key);
    } catch (err) {
      if (!(err instanceof KubeError && err.code === 404)) throw err;
    }
  }

  private async list(scope: { clusterId: string; namespace: string }, group: string, resource: string) {
    return (await this.store.list({ ...scope, group, resource })).items;
  }

  private key(ref: ObjectRef, group: string, resource: string, name: string): ObjectKey {
    return { clusterId: ref.clusterId, group, resource, namespace: ref.namespace, name };
  }
}

function isManagedSliceOf(slice: EndpointSlice, service: string): boolean {
  const labels = slice.metadata.labels ?? {};
  return labels[SERVICE_NAME_LABEL] === service && labels[SLICE_MANAGER_LABEL] === SLICE_MANAGER;
}

/** Keeps each Service's Endpoints and EndpointSlices: a pod's change re-plans its namespace's Services. */
export const endpointsController: Controller = {
  queue: "endpoints",
  watches: [
    { group: "", resource: "pods", map: itsNamespace },
    { group: "", resource: "services" },
  ],
  resync: everyObject("", "services", "slow"),
  start: ({ store }) => {
    const controller = new EndpointsController(store);
    return (ref) => controller.reconcile(ref);
  },
};
