import { describe, expect, it } from "vitest";
import type { CustomResourceDefinition } from "./crd/types";
import { compareVersions, ServedTypes } from "./served-types";

const crd = (established: boolean): CustomResourceDefinition => ({
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: "widgets.example.com" },
  spec: {
    group: "example.com",
    scope: "Cluster",
    names: { plural: "widgets", kind: "Widget", shortNames: ["wd"] },
    versions: [
      { name: "v1beta1", served: true, storage: false },
      { name: "v1", served: true, storage: true, subresources: { status: {} } },
      { name: "v1alpha1", served: false, storage: false },
    ],
  },
  status: { conditions: [{ type: "Established", status: established ? "True" : "False" }] },
});

describe("compareVersions", () => {
  it("orders as kube-apiserver: GA, beta, alpha, then the rest", () => {
    const versions = ["v1alpha1", "foo", "v2beta1", "v1", "v11alpha2", "v2", "v1beta2", "bar"];
    expect(versions.sort(compareVersions)).toEqual([
      "v2",
      "v1",
      "v2beta1",
      "v1beta2",
      "v11alpha2",
      "v1alpha1",
      "bar",
      "foo",
    ]);
  });
});

describe("ServedTypes", () => {
  it("adds the served versions of established CRDs, the preferred one first", () => {
    const types = new ServedTypes([crd(true)]);
    expect(types.find("example.com", "v1", "widgets")).toMatchObject({
      kind: "Widget",
      namespaced: false,
      shortNames: ["wd"],
      subresources: ["status"],
      custom: { storageVersion: "v1", status: true },
    });
    expect(types.find("example.com", "v1alpha1", "widgets")).toBeUndefined();
    expect(types.groupVersions().filter((gv) => gv.group === "example.com")).toEqual([
      { group: "example.com", version: "v1" },
      { group: "example.com", version: "v1beta1" },
    ]);
    expect(types.byKind("example.com/v1beta1", "Widget")?.version).toBe("v1beta1");
  });

  it("serves nothing of a CRD not established", () => {
    expect(new ServedTypes([crd(false)]).find("example.com", "v1", "widgets")).toBeUndefined();
  });
});
