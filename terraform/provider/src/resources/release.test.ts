import { describe, expect, it } from "vitest";
import { mergeValues } from "../release-values";
import { UNKNOWN } from "../values";
import { releaseResource } from "./release";

const prior = {
  id: "c1/default/web",
  cluster: "c1",
  name: "web",
  namespace: "default",
  chart: "web",
  values: ["replicaCount: 1\n"],
  set: null,
  chart_version: "0.1.0",
  chart_digest: null,
  revision: 1,
  status: "deployed",
  notes: "hello",
};
const config = {
  ...prior,
  id: null,
  namespace: null,
  chart_version: null,
  chart_digest: null,
  revision: null,
  status: null,
  notes: null,
};

describe("release plans", () => {
  it("plans a create with the id and the default namespace known, the revision after apply", () => {
    const { planned } = releaseResource.plan({ prior: null, proposed: config, config });
    expect(planned).toMatchObject({
      id: "c1/default/web",
      namespace: "default",
      revision: UNKNOWN,
      notes: UNKNOWN,
    });
  });

  it("plans no change when the configuration matches", () => {
    expect(releaseResource.plan({ prior, proposed: prior, config })).toEqual({
      planned: prior,
      requiresReplace: [],
    });
  });

  it("upgrades in place on new values or set, the revision's attributes after apply", () => {
    for (const change of [
      { values: ["replicaCount: 2\n"] },
      { set: { replicaCount: "2" } },
      { chart: "redis" },
    ]) {
      const { planned, requiresReplace } = releaseResource.plan({
        prior,
        proposed: { ...prior, ...change },
        config: { ...config, ...change },
      });
      expect(requiresReplace).toEqual([]);
      expect(planned).toMatchObject({ ...change, id: prior.id, revision: UNKNOWN, status: UNKNOWN });
    }
  });

  it("replaces on a new name, namespace or cluster", () => {
    for (const name of ["name", "namespace", "cluster"]) {
      const { requiresReplace } = releaseResource.plan({
        prior,
        proposed: { ...prior, [name]: "other" },
        config: { ...config, [name]: "other" },
      });
      expect(requiresReplace).toEqual([name]);
    }
  });
});

describe("release values", () => {
  it("merges values files in order, maps key by key and the rest replaced", () => {
    expect(mergeValues(["a: {b: 1, c: [1]}\nd: x", '{"a": {"c": [2]}, "e": true}'])).toEqual({
      a: { b: 1, c: [2] },
      d: "x",
      e: true,
    });
  });

  it("refuses a values file that is not a mapping, at the values attribute", () => {
    expect(releaseResource.validate({ ...config, values: ["- a\n- b"] })).toEqual([
      expect.objectContaining({ summary: "Invalid values", attribute: "values" }),
    ]);
    expect(releaseResource.validate({ ...config, name: "Web_1" })[0]).toMatchObject({ attribute: "name" });
  });

  it("takes imports as <cluster>/<namespace>/<name> only", () => {
    expect(releaseResource.imported("c1/apps/web")).toMatchObject({
      cluster: "c1",
      namespace: "apps",
      name: "web",
    });
    expect(() => releaseResource.imported("c1/web")).toThrow(/<cluster>\/<namespace>\/<name>/);
  });
});

describe("release reads", () => {
  const release = (values: Record<string, unknown>) => ({
    name: "web",
    namespace: "default",
    revision: 2,
    status: "deployed",
    chart: "web-0.1.0",
    description: "Upgrade complete",
    notes: "hello",
    values,
  });
  const client = (values: Record<string, unknown>) => ({
    request: async <T>() => release(values) as T,
    text: async () => "",
  });
  const state = { ...prior, set: { "service.port": "8080" } };

  it("keeps the configuration's values while the release's are what they make", async () => {
    const read = await releaseResource.read(client({ service: { port: 8080 }, replicaCount: 1 }), state);
    expect(read).toMatchObject({
      values: ["replicaCount: 1\n"],
      set: { "service.port": "8080" },
      revision: 2,
    });
  });

  it("reports values changed outside Terraform as the release's, so the plan upgrades back", async () => {
    const read = await releaseResource.read(client({ service: { port: 8080 }, replicaCount: 5 }), state);
    expect(read?.values).toEqual(["service:\n  port: 8080\nreplicaCount: 5\n"]);
    const { planned, requiresReplace } = releaseResource.plan({
      prior: read,
      proposed: { ...read, values: state.values },
      config: { ...config, set: state.set },
    });
    expect(requiresReplace).toEqual([]);
    expect(planned).toMatchObject({ values: state.values, revision: UNKNOWN });
  });
});
