import { describe, expect, it } from "vitest";
import { clusterResource } from "./resources/cluster";
import { tenantResource } from "./resources/tenant";
import { type ObjectValue, UNKNOWN } from "./values";

const prior = {
  id: "1",
  name: "alice",
  tenant: "k8s",
  server: "https://s",
  phase: "Active",
  kubeconfig: "yaml",
};

describe("cluster plans", () => {
  it("marks computed attributes unknown on create, but not those the configuration sets", () => {
    const config = {
      id: null,
      name: "alice",
      tenant: "k8s",
      expires_at: null,
      server: null,
      phase: null,
      kubeconfig: null,
    };
    const { planned, requiresReplace } = clusterResource.plan({ prior: null, proposed: config, config });
    expect(planned).toEqual({
      ...config,
      id: UNKNOWN,
      expires_at: UNKNOWN,
      server: UNKNOWN,
      phase: UNKNOWN,
      kubeconfig: UNKNOWN,
    });
    expect(requiresReplace).toEqual([]);
  });

  it("plans no change when the configuration matches, an unset tenant keeping the prior one", () => {
    const config = { id: null, name: "alice", tenant: null, server: null, phase: null, kubeconfig: null };
    expect(clusterResource.plan({ prior, proposed: prior, config })).toEqual({
      planned: prior,
      requiresReplace: [],
    });
  });

  it("replaces on a new name or tenant, computed values becoming unknown", () => {
    const config = { id: null, name: "bob", tenant: "k8s", server: null, phase: null, kubeconfig: null };
    const { planned, requiresReplace } = clusterResource.plan({
      prior,
      proposed: { ...prior, name: "bob" },
      config,
    });
    expect(requiresReplace).toEqual(["name"]);
    expect(planned).toMatchObject({ name: "bob", tenant: "k8s", id: UNKNOWN, kubeconfig: UNKNOWN });
    const moved = clusterResource.plan({
      prior,
      proposed: { ...prior, tenant: "other" },
      config: { ...config, name: "alice", tenant: "other" },
    });
    expect(moved.requiresReplace).toEqual(["tenant"]);
  });

  it("replaces when a replacing attribute is not known yet", () => {
    const config: ObjectValue = {
      id: null,
      name: UNKNOWN,
      tenant: "k8s",
      server: null,
      phase: null,
      kubeconfig: null,
    };
    expect(
      clusterResource.plan({ prior, proposed: { ...prior, name: UNKNOWN }, config }).requiresReplace,
    ).toEqual(["name"]);
  });

  it("plans null for a destroy", () => {
    expect(clusterResource.plan({ prior, proposed: null, config: null })).toEqual({
      planned: null,
      requiresReplace: [],
    });
  });

  it("rejects a name that is not a DNS-1123 label, pointing at the attribute", () => {
    expect(clusterResource.validate({ name: "Bad_Name", tenant: null })).toMatchObject([
      { severity: "error", attribute: "name" },
    ]);
    expect(clusterResource.validate({ name: UNKNOWN, tenant: "ok" })).toEqual([]);
  });
});

describe("tenant plans", () => {
  const prior = {
    id: "c",
    name: "c",
    cluster_lifetime: "72h",
    idle_before_sleep: null,
    phase: "Active",
    teacher_token: "t",
  };

  it("updates settings in place, keeping the computed values", () => {
    const proposed = { ...prior, cluster_lifetime: "48h" };
    const config = { ...proposed, id: null, phase: null, teacher_token: null };
    expect(tenantResource.plan({ prior, proposed, config })).toEqual({
      planned: proposed,
      requiresReplace: [],
    });
  });

  it("replaces on a new name, and validates durations on their attribute", () => {
    const proposed = { ...prior, name: "d" };
    expect(tenantResource.plan({ prior, proposed, config: proposed }).requiresReplace).toEqual(["name"]);
    expect(tenantResource.validate({ name: "c", cluster_lifetime: "3 days" })).toMatchObject([
      { attribute: "cluster_lifetime" },
    ]);
    expect(
      tenantResource.validate({ name: "c", cluster_lifetime: "1h30m", idle_before_sleep: null }),
    ).toEqual([]);
  });
});
