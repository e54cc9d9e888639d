import { describe, expect, it } from "vitest";
import { KubeError } from "../../core/k8s/errors";
import { findResourceType, type ResourceType } from "../../core/k8s/resources";
import type { KubeObject } from "../../core/k8s/types";
import {
  isNamespaceTerminating,
  isPlatformOwned,
  namespaceTerminating,
  prepareCreate,
  prepareUpdate,
  refusePlatformOwned,
} from "./prepare";

const configMaps = findResourceType("", "v1", "configmaps") as ResourceType;
const pods = findResourceType("", "v1", "pods") as ResourceType;
const now = new Date("2026-01-02T03:04:05Z");

const configMap = (data: Record<string, string>, meta: Partial<KubeObject["metadata"]> = {}): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "settings", namespace: "default", ...meta },
  data,
});

const managers = (obj: KubeObject) =>
  (obj.metadata.managedFields as { manager: string; operation: string }[] | undefined)?.map(
    (e) => `${e.manager}/${e.operation}`,
  );

function refusal(fn: () => unknown): KubeError {
  try {
    fn();
  } catch (err) {
    if (err instanceof KubeError) return err;
    throw err;
  }
  throw new Error("not refused");
}

describe("prepareCreate", () => {
  it("gives a new object a uid of the server's, drops the client's stamps, and records its writer", () => {
    const sent = configMap(
      { a: "1" },
      { uid: "chosen-by-client", creationTimestamp: "2001-01-01T00:00:00Z", deletionTimestamp: "x" },
    );
    const created = prepareCreate(configMaps, sent, { now, manager: "kubectl" });
    expect(created.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata.uid).not.toBe("chosen-by-client");
    expect(created.metadata.creationTimestamp).toBeUndefined();
    expect(created.metadata.deletionTimestamp).toBeUndefined();
    expect(managers(created)).toEqual(["kubectl/Update"]);
    expect(created.metadata.managedFields?.[0]).toMatchObject({ time: "2026-01-02T03:04:05Z" });
  });

  it("keeps what a server-side apply worked out for managedFields", () => {
    const applied = configMap({ a: "1" }, { managedFields: [{ manager: "kubectl", operation: "Apply" }] });
    const created = prepareCreate(configMaps, applied, { now, manager: "kubectl", applied: true });
    expect(managers(created)).toEqual(["kubectl/Apply"]);
  });

  it("runs the kind's defaults and validation, for a controller's pod as for a user's", () => {
    const pod: KubeObject = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "web-abcde", namespace: "default" },
      spec: { containers: [{ name: "web", image: "nginx" }] },
    };
    const created = prepareCreate(pods, pod, { now, manager: "kube-controller-manager" });
    expect(created.status).toMatchObject({ phase: "Pending" });
    expect((created.spec as { restartPolicy?: string }).restartPolicy).toBe("Always");
    expect(managers(created)).toEqual(["kube-controller-manager/Update"]);
    const invalid = { ...pod, spec: { containers: [] } };
    expect(refusal(() => prepareCreate(pods, invalid, { now, manager: "x" })).code).toBe(422);
  });
});

describe("prepareUpdate", () => {
  const current = prepareCreate(configMaps, configMap({ a: "1" }), { now, manager: "kubectl" });

  it("gives the fields a writer changed to it, leaving the rest to their owner", () => {
    const next = prepareUpdate(configMaps, configMap({ a: "1", b: "2" }), current, { now, manager: "helm" });
    expect(managers(next)).toEqual(["kubectl/Update", "helm/Update"]);
  });

  it("leaves ownership as it was on a status write", () => {
    const next = prepareUpdate(configMaps, configMap({ a: "2" }), current, {
      now,
      manager: "kubelet",
      subresource: "status",
    });
    expect(next.metadata.managedFields).toEqual(current.metadata.managedFields);
  });

  it("keeps the stored deletion marks and refuses new finalizers on an object being deleted", () => {
    const deleting = {
      ...current,
      metadata: { ...current.metadata, deletionTimestamp: "2026-01-02T00:00:00Z" },
    };
    const cleared = prepareUpdate(configMaps, configMap({ a: "1" }), deleting, { now, manager: "kubectl" });
    expect(cleared.metadata.deletionTimestamp).toBe("2026-01-02T00:00:00Z");
    const moved = configMap({ a: "1" }, { deletionTimestamp: "2030-01-01T00:00:00Z" });
    expect(
      prepareUpdate(configMaps, moved, current, { now, manager: "kubectl" }).metadata.deletionTimestamp,
    ).toBe(undefined);
    const finalized = configMap({ a: "1" }, { finalizers: ["example.com/hold"] });
    expect(
      refusal(() => prepareUpdate(configMaps, finalized, deleting, { now, manager: "kubectl" })).code,
    ).toBe(422);
  });
});

describe("platform-owned objects and terminating namespaces", () => {
  const quota = {
    group: "",
    resource: "resourcequotas",
    namespace: "kube-system",
    name: "timonier-platform",
  };

  it("refuses any write to the platform's quota, and only to it", () => {
    expect(isPlatformOwned(quota)).toBe(true);
    expect(refusal(() => refusePlatformOwned(quota)).code).toBe(403);
    expect(isPlatformOwned({ ...quota, namespace: "default" })).toBe(false);
    expect(() => refusePlatformOwned({ ...quota, name: "mine" })).not.toThrow();
  });

  it("words a terminating namespace as kube-apiserver, with a cause controllers recognise", () => {
    const err = namespaceTerminating("gone");
    expect(err.code).toBe(403);
    expect(err.message).toBe("unable to create new content in namespace gone because it is being terminated");
    expect(isNamespaceTerminating(err)).toBe(true);
    expect(isNamespaceTerminating(new Error("no"))).toBe(false);
  });
});
