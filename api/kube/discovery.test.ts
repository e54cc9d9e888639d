import { describe, expect, it } from "vitest";
import { aggregatedDiscovery, aggregatedVersion } from "./discovery";

describe("aggregated discovery", () => {
  it("is served in the newest format the client accepts, legacy otherwise", () => {
    const kubectl132 =
      "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";
    expect(aggregatedVersion(kubectl132)).toBe("v2");
    expect(
      aggregatedVersion(
        "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList, application/json",
      ),
    ).toBe("v2beta1");
    expect(aggregatedVersion("application/json")).toBeUndefined();
    expect(aggregatedVersion(undefined)).toBeUndefined();
  });

  it("lists each group's versions, preferred first, with resources and subresources", () => {
    const apis = aggregatedDiscovery("v2", false);
    const autoscaling = apis.items.find((g) => g.metadata.name === "autoscaling");
    expect(autoscaling?.versions.map((v) => v.version)).toEqual(["v2", "v1"]);
    const apps = apis.items.find((g) => g.metadata.name === "apps");
    expect(apps?.versions[0]?.resources.find((r) => r.resource === "deployments")).toMatchObject({
      responseKind: { group: "apps", version: "v1", kind: "Deployment" },
      scope: "Namespaced",
      singularResource: "deployment",
      shortNames: ["deploy"],
      subresources: [
        { subresource: "scale", responseKind: { group: "autoscaling", version: "v1", kind: "Scale" } },
        { subresource: "status", responseKind: { group: "apps", version: "v1", kind: "Deployment" } },
      ],
    });
    const core = aggregatedDiscovery("v2", true);
    expect(core.items.map((g) => g.metadata.name)).toEqual([""]);
  });
});
