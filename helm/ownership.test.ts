import { describe, expect, it } from "vitest";
import { markedForRelease, ownershipProblem } from "./ownership";

const release = { name: "site", namespace: "web" };

describe("Helm's ownership marks", () => {
  it("marks an object as the release's, in the release's namespace when its kind is namespaced", () => {
    const obj = { kind: "Service", metadata: { name: "a", labels: { app: "a" }, annotations: { x: "y" } } };
    expect(markedForRelease(obj, release, "web")).toEqual({
      kind: "Service",
      metadata: {
        name: "a",
        namespace: "web",
        labels: { app: "a", "app.kubernetes.io/managed-by": "Helm" },
        annotations: { x: "y", "meta.helm.sh/release-name": "site", "meta.helm.sh/release-namespace": "web" },
      },
    });
    expect(
      markedForRelease({ kind: "ClusterRole", metadata: { name: "r" } }, release, undefined).metadata,
    ).not.toHaveProperty("namespace");
  });

  it("takes over only what carries this release's marks", () => {
    const marked = markedForRelease({ kind: "Service", metadata: { name: "a" } }, release, "web");
    expect(ownershipProblem(marked, release, "install")).toBeUndefined();
    expect(ownershipProblem(marked, { name: "other", namespace: "web" }, "install")).toBe(
      'Unable to continue with install: Service "a" in namespace "web" exists and cannot be imported into the current release: invalid ownership metadata; annotation validation error: key "meta.helm.sh/release-name" must equal "other": current value is "site"',
    );
    expect(ownershipProblem({ kind: "Namespace", metadata: { name: "web" } }, release, "update")).toBe(
      'Unable to continue with update: Namespace "web" exists and cannot be imported into the current release: invalid ownership metadata; label validation error: missing key "app.kubernetes.io/managed-by": must be set to "Helm"; annotation validation error: missing key "meta.helm.sh/release-name": must be set to "site"; annotation validation error: missing key "meta.helm.sh/release-namespace": must be set to "web"',
    );
  });
});
