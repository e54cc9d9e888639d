import { describe, expect, it } from "vitest";
import { catalogEntries } from "./catalog";

describe("the chart catalog", () => {
  it("lists each chart with the version and description of its Chart.yaml", () => {
    expect(catalogEntries()).toContainEqual({
      name: "web",
      version: "0.1.0",
      appVersion: "1.25",
      description: "A web server behind a Service and an Ingress, for the classroom",
    });
  });
});
